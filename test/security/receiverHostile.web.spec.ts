import { readdirSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { BATCH_INDEX_HEADER, BATCH_PATH } from '../../shared/receiverBatch';
import { expect, test } from '../e2e/fixtures';
import { listenOnLoopback } from '../helpers/loopback';

/**
 * Finding 3 in a real browser: a hostile page served on another local port (as 127.0.0.1 and as
 * localhost) tries to write into the built-in receiver of a running `ferry serve`, by every
 * request a page can make: a CORS fetch with tus headers (preflighted), the same without
 * preflight (no-cors), a batch, a PATCH, and a form post. Nothing may land in `received/`.
 */

interface Attempt {
  what: string;
  /** `rejected` (the browser blocked it), `opaque` (sent, answer unreadable), or the status the page could read. */
  outcome: string;
}

/** Runs in the page: every write a page can try against the receiver at `tusUrl`. */
async function attack({ tusUrl, batchUrl, batchHeader }: { tusUrl: string; batchUrl: string; batchHeader: string }): Promise<Attempt[]> {
  const results: Attempt[] = [];
  const tryFetch = async (what: string, url: string, init: RequestInit) => {
    try {
      const res = await fetch(url, init);
      results.push({ what, outcome: res.type === 'opaque' ? 'opaque' : String(res.status) });
      return res;
    } catch {
      results.push({ what, outcome: 'rejected' });
      return undefined;
    }
  };
  const b64 = (s: string) => btoa(s);
  const content = 'written by a hostile page';
  const meta = `dataset ${b64('pwned')},relativePath ${b64('note.txt')}`;
  const tus = { 'Tus-Resumable': '1.0.0', 'Upload-Length': String(content.length), 'Upload-Metadata': meta };

  // A CORS fetch with tus headers: the preflight must not be granted.
  const created = await tryFetch('tus creation (preflighted)', tusUrl, { method: 'POST', headers: { ...tus, 'Content-Type': 'application/offset+octet-stream' }, body: content });
  const location = created?.headers.get('Location');
  if (location) {
    await tryFetch('tus PATCH (preflighted)', new URL(location, tusUrl).toString(), {
      method: 'PATCH',
      headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' },
      body: content,
    });
  }
  // Without a preflight: only safelisted headers and content types survive; the answer is opaque.
  await tryFetch('creation, no-cors text/plain', tusUrl, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: content });
  await tryFetch('creation, no-cors without a type', tusUrl, { method: 'POST', mode: 'no-cors', body: new Blob([content]) });
  const index = JSON.stringify({ metadata: { dataset: 'pwned' }, files: [{ relativePath: 'batch.txt', size: 0, sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }] });
  await tryFetch('batch (preflighted)', batchUrl, { method: 'POST', headers: { [batchHeader]: String(index.length), 'Content-Type': 'application/octet-stream' }, body: index });
  await tryFetch('batch, no-cors text/plain', batchUrl, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: index });
  await tryFetch('PATCH on a guessed upload (preflighted)', `${tusUrl}0123456789abcdef`, { method: 'PATCH', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream' }, body: content });

  // A form post: the browser sends it without asking anyone (fetch with the same shape, no-cors).
  const form = new FormData();
  form.append('file', new Blob([content]), 'note.txt');
  await tryFetch('form post to /batch', batchUrl, { method: 'POST', mode: 'no-cors', body: form });
  return results;
}

/** Files under the receiver's storage folder, partial uploads included. */
function storedFiles(dataDir: string): string[] {
  const root = join(dataDir, 'received');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1));
}

test.describe('security: a hostile page on another local port cannot write into the receiver', () => {
  test('from 127.0.0.1 and from localhost, every write is refused and received/ stays empty', async ({ page, ferry }) => {
    const receiver = await ferry.call<{ url: string; port: number }>('getReceiver');
    const tusUrl = receiver.url;
    const hostile = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>A page on another port</title><p>nothing to see</p>');
    });
    const server = await listenOnLoopback(hostile);
    try {
      for (const pageHost of ['127.0.0.1', 'localhost']) {
        await page.goto(`http://${pageHost}:${server.port}/`);
        for (const receiverHost of ['127.0.0.1', 'localhost']) {
          const target = new URL(tusUrl);
          target.hostname = receiverHost;
          const results = await page.evaluate(attack, { tusUrl: target.toString(), batchUrl: new URL(BATCH_PATH, target).toString(), batchHeader: BATCH_INDEX_HEADER });
          const where = `page on ${pageHost}, receiver as ${receiverHost}`;
          // A CORS request either never leaves the browser or comes back unreadable; none is answered 2xx.
          for (const r of results) expect(r.outcome, `${where}: ${r.what}`).toMatch(/^(rejected|opaque|4\d\d)$/);
          expect(results.find((r) => r.what === 'tus creation (preflighted)')?.outcome, where).toBe('rejected');
          expect(storedFiles(ferry.dataDir), where).toEqual([]);
        }
      }
      // The receiver is alive and still serves Ferry's own (non-browser) requests.
      const own = await fetch(tusUrl, { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } });
      expect(own.status).toBe(204);
      expect(own.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await server.close();
    }
  });
});
