import type { Page } from '@playwright/test';
import type { BrowserGlobals } from './browserGlobals';

export interface DropFile {
  name: string;
  bytes: Buffer;
  type?: string;
}

/**
 * Drops real files on the window the way a file manager does: File objects built in the page, in a
 * DataTransfer, dispatched as dragenter, dragover and drop on `window`. With `hold`, stops after
 * dragover so the drop overlay can be checked, and answers a function that finishes the drop.
 */
export async function dropFiles(page: Page, files: DropFile[], options: { hold?: boolean } = {}): Promise<() => Promise<void>> {
  const payload = files.map((f) => ({ name: f.name, b64: f.bytes.toString('base64'), type: f.type ?? 'application/octet-stream' }));
  await page.evaluate((list) => {
    const w = globalThis as unknown as BrowserGlobals;
    const dt = new w.DataTransfer();
    for (const f of list) {
      const raw = w.atob(f.b64);
      const bytes = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
      dt.items.add(new w.File([bytes], f.name, { type: f.type }));
    }
    w.__ferryDrop = dt;
    for (const type of ['dragenter', 'dragover']) w.dispatchEvent(new w.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, payload);
  const finish = async () => {
    await page.evaluate(() => {
      const w = globalThis as unknown as BrowserGlobals;
      w.dispatchEvent(new w.DragEvent('drop', { dataTransfer: w.__ferryDrop, bubbles: true, cancelable: true }));
    });
  };
  if (!options.hold) await finish();
  return finish;
}

/** Ends a held drag without dropping (the pointer left the window). */
export async function leaveDrag(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as BrowserGlobals;
    w.dispatchEvent(new w.DragEvent('dragleave', { dataTransfer: w.__ferryDrop, bubbles: true }));
  });
}
