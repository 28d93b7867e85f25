import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves a file of the built renderer; refuses anything outside its folder. */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, headers: Record<string, string>): Promise<boolean> {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return false;
  }
  if (rel === '/' || rel === '') rel = '/index.html';
  const full = normalize(join(root, rel));
  if (!full.startsWith(normalize(root) + sep) || rel.includes('\0')) return false;
  try {
    const info = await stat(full);
    if (!info.isFile()) return false;
    res.writeHead(200, {
      ...headers,
      'Content-Type': TYPES[extname(full)] ?? 'application/octet-stream',
      'Content-Length': info.size,
      'Cache-Control': rel === '/index.html' ? 'no-store' : 'private, max-age=3600',
    });
    createReadStream(full).pipe(res);
    return true;
  } catch {
    return false;
  }
}
