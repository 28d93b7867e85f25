import { takeToken } from '../transport/token';

/** Hands a blob to the browser as a file named `name` in its downloads. */
function saveBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Hands text to the browser as a file download. */
export function downloadText(name: string, parts: BlobPart[]): void {
  saveBlob(name, new Blob(parts, { type: 'text/plain;charset=utf-8' }));
}

/**
 * Downloads a file the web host serves under /api/ (the token goes in the Authorization header,
 * never in a URL), as a file named `name` in the browser's downloads; answers the headers.
 */
export async function downloadFromHost(path: string, name: string): Promise<Headers> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${takeToken() ?? ''}` } });
  if (!res.ok) throw new Error(`the engine answered ${res.status}`);
  saveBlob(name, await res.blob());
  return res.headers;
}
