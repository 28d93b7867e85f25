/**
 * Streams dropped files to the web host's staging area (`PUT <uploadUrl><relative path>`), a few
 * at a time, reporting bytes as they go. XMLHttpRequest, because fetch reports no upload progress.
 */
import { takeToken } from '../transport/token';
import type { DroppedFile } from './webDrop';

const PARALLEL = 3;

export interface StagingReport {
  sentBytes: number;
  doneFiles: number;
  current: string | null;
}

export const stagingUrl = (uploadUrl: string, relativePath: string): string =>
  uploadUrl + relativePath.split('/').map(encodeURIComponent).join('/');

function putFile(url: string, file: File, onBytes: (loaded: number) => void, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    // The web host takes the token only from this header, never from a cookie any local page could ride on.
    xhr.setRequestHeader('Authorization', `Bearer ${takeToken() ?? ''}`);
    xhr.upload.onprogress = (event) => onBytes(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onBytes(file.size);
        resolve();
        return;
      }
      let message = `the engine answered ${xhr.status}`;
      try {
        const body = JSON.parse(xhr.responseText) as { error?: { message?: string } };
        if (body.error?.message) message = body.error.message;
      } catch {
        // Not JSON: keep the status.
      }
      reject(new Error(message));
    };
    xhr.onerror = () => reject(new Error('the connection to Ferry failed'));
    xhr.onabort = () => reject(new DOMException('staging canceled', 'AbortError'));
    signal.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export async function stageFiles(files: DroppedFile[], uploadUrl: string, onProgress: (report: StagingReport) => void, signal: AbortSignal): Promise<void> {
  const sent = new Map<string, number>();
  let doneFiles = 0;
  let current: string | null = null;
  let last = 0;
  const report = (force = false) => {
    const now = performance.now();
    if (!force && now - last < 100) return;
    last = now;
    let sentBytes = 0;
    for (const n of sent.values()) sentBytes += n;
    onProgress({ sentBytes, doneFiles, current });
  };
  const queue = files.slice();
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (signal.aborted) throw new DOMException('staging canceled', 'AbortError');
      const item = next;
      current = item.relativePath;
      await putFile(stagingUrl(uploadUrl, item.relativePath), item.file, (loaded) => {
        sent.set(item.relativePath, loaded);
        report();
      }, signal);
      doneFiles += 1;
      report(true);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker));
  current = null;
  report(true);
}
