/**
 * Finding 8: the packaged desktop app cannot be turned into a Node.js runtime, debugged, or made
 * to load code other than its integrity-checked app.asar; the benchmark stays out of packages;
 * Electron is at the newest patch of its major (checked against the lock file).
 */
import { existsSync, readFileSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { FileMatcher } from 'app-builder-lib/out/fileMatcher';
import type { Configuration } from 'app-builder-lib';
import { load } from 'js-yaml';
import { isAllowedExternal } from '../../main/hosts/desktop/externalLinks';
import { describe, expect, it } from 'vitest';

const root = process.cwd();
const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Configuration;

function packaged(path: string): boolean {
  const filter = new FileMatcher(root, root, (p) => p, config.files as string[]).createFilter();
  const abs = resolve(root, path);
  return filter(abs, existsSync(abs) ? statSync(abs) : ({ isDirectory: () => false } as Stats)) as boolean;
}

describe('electron-builder.yml hardening', () => {
  it('flips the fuses that close the run-as-node, NODE_OPTIONS, --inspect and unpacked-app doors', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    // Fuses only hold in an asar package.
    expect(config.asar ?? true).toBe(true);
  });

  it('leaves the benchmark harness out of packages but keeps the app', () => {
    expect(packaged('out/main/bench.js')).toBe(false);
    expect(packaged('out/main/index.js')).toBe(true);
    expect(packaged('out/main/serve.js')).toBe(true);
  });

  it('keeps signing secrets out of the repository (electron-builder reads them from the environment)', () => {
    const text = readFileSync(join(root, 'electron-builder.yml'), 'utf8');
    for (const key of ['cscLink', 'cscKeyPassword', 'certificatePassword', 'appleIdPassword']) expect(text).not.toContain(`${key}:`);
  });

  it('pins Electron at a 45.x release no older than the patch this review asked for', () => {
    const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const [major, minor, patch] = lock.packages['node_modules/electron']!.version.split('.').map(Number) as [number, number, number];
    expect(major).toBe(45);
    expect(minor * 1000 + patch).toBeGreaterThanOrEqual(5 * 1000 + 0);
  });

  it('hands only https links to allowlisted hosts to the OS (shell.openExternal)', () => {
    expect(isAllowedExternal('https://github.com/ferry/ferry/issues')).toBe(true);
    for (const url of ['http://github.com/', 'https://github.com.evil.example/', 'https://evil.example/', 'file:///etc/passwd', 'smb://host/share', 'ms-msdt:foo', 'https://user:pw@github.com/', 'not a url']) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });
});
