import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CSP } from '../../../../main/hosts/csp';
import { appResponse, isAppUrl } from '../../../../main/hosts/desktop/appProtocol';
import { makeTmpDir, type TmpDir } from '../../../helpers/tmpDir';

/** Electron's net.fetch of a file URL, as far as this needs it. */
async function fetchFile(url: string): Promise<Response> {
  try {
    return new Response(readFileSync(fileURLToPath(url)), { headers: { 'content-type': 'text/html' } });
  } catch {
    return new Response('missing', { status: 404 });
  }
}

describe('the app protocol serves the built renderer and nothing else', () => {
  let dir: TmpDir;
  let renderer: string;
  beforeEach(() => {
    dir = makeTmpDir('ferry-app-protocol-');
    renderer = join(dir.dir, 'renderer');
    mkdirSync(join(renderer, 'assets'), { recursive: true });
    writeFileSync(join(renderer, 'index.html'), '<h1>Ferry</h1>');
    writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(dir.dir, 'secrets.json'), '{"token":"x"}');
  });
  afterEach(() => dir.cleanup());

  it('answers the page and its assets with the CSP', async () => {
    for (const url of ['ferry://app/', 'ferry://app/index.html']) {
      const res = await appResponse(renderer, url, fetchFile);
      expect(await res.text()).toBe('<h1>Ferry</h1>');
      expect(res.headers.get('Content-Security-Policy')).toBe(CSP);
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    }
    expect(await (await appResponse(renderer, 'ferry://app/assets/app.js', fetchFile)).text()).toBe('console.log(1)');
  });

  it('refuses files beside the renderer and other hosts', async () => {
    for (const url of ['ferry://app/%2e%2e/secrets.json', 'ferry://app/..%2fsecrets.json', 'ferry://other/index.html', 'ferry://app/%E0%A4%A']) {
      const res = await appResponse(renderer, url, fetchFile);
      expect(res.status, url).toBe(404);
      expect(await res.text()).not.toContain('token');
    }
  });

  it('keeps the window on its own pages', () => {
    expect(isAppUrl('ferry://app/index.html')).toBe(true);
    for (const url of ['ferry://app', 'ferry://app.evil/', 'http://127.0.0.1:9/elsewhere', 'https://github.com/']) expect(isAppUrl(url), url).toBe(false);
  });
});
