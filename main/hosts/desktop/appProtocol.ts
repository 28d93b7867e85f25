import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP } from '../csp';

/** The renderer's own origin in the desktop app: `ferry://app/`, standard and secure like https. */
export const APP_SCHEME = 'ferry';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
export const APP_SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: true };

/** Whether a URL is a page of the app itself. */
export function isAppUrl(url: string): boolean {
  return url.startsWith(APP_ORIGIN + '/');
}

/** The file an app-scheme URL names inside the built renderer, or null for anything outside it. */
export function appFile(rendererDir: string, requestUrl: string): string | null {
  const url = new URL(requestUrl);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== 'app') return null;
  const root = normalize(rendererDir);
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
  } catch {
    return null;
  }
  const full = normalize(join(root, rel));
  return full.startsWith(root + sep) ? full : null;
}

/** Answers an app-scheme request from the built renderer, with the CSP as a header; 404 for anything else. */
export async function appResponse(rendererDir: string, requestUrl: string, fetchFile: (fileUrl: string) => Promise<Response>): Promise<Response> {
  const file = appFile(rendererDir, requestUrl);
  if (!file) return new Response('not found', { status: 404 });
  const res = await fetchFile(pathToFileURL(file).toString());
  const headers = new Headers(res.headers);
  headers.set('Content-Security-Policy', CSP);
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(res.body, { status: res.status, headers });
}
