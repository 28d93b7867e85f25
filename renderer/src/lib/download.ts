import { takeToken } from '../transport/token';

/** Hands text to the browser as a file download. */
export function downloadText(name: string, parts: BlobPart[]): void {
  const url = URL.createObjectURL(new Blob(parts, { type: 'text/plain;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Downloads a file the web host serves under /api/ (the token goes in the Authorization header,
 * never in a URL), as a file named `name` in the browser's downloads.
 */
export async function downloadFromHost(path: string, name: string): Promise<void> {
  const res = await fetch(path, { headers: { Authorization: `Bearer ${takeToken() ?? ''}` } });
  if (!res.ok) throw new Error(`the engine answered ${res.status}`);
  const url = URL.createObjectURL(await res.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
