import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { callFerry, electronForSuite, ELECTRON_SKIP_REASON, launchFerry } from './electronApp';
import { UploadSheet } from './pages/uploadSheet';
import { JobsPage } from './pages/jobsPage';

const bin = electronForSuite('desktop drag-and-drop suite');

/** What the drop touches in the page (the node-side project has no DOM types). */
type DropGlobals = {
  document: { createElement(tag: string): { type: string; multiple: boolean; id: string; files: ArrayLike<unknown> }; body: { append(node: unknown): void }; getElementById(id: string): { files: ArrayLike<unknown> } | null };
  DataTransfer: new () => { items: { add(file: unknown): unknown } };
  DragEvent: new (type: string, init: { dataTransfer: unknown; bubbles: boolean; cancelable: boolean }) => unknown;
  dispatchEvent(event: unknown): boolean;
  ferryDesktop: { pathForFile(file: unknown): string };
};

test.describe('drag and drop (Electron)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('files dropped from the file manager upload from their real paths (webUtils.getPathForFile)', async () => {
    const source = mkdtempSync(join(tmpdir(), 'ferry-drop-'));
    const files = [join(source, 'scan_001.tif'), join(source, 'scan_002.tif')];
    files.forEach((file, i) => writeFileSync(file, Buffer.alloc(1024 * (i + 1), i)));
    const ferry = await launchFerry(bin!);
    try {
      const { page } = ferry;
      // Files backed by disk, as a file manager's drag carries them: Chromium gives them their paths.
      await page.evaluate(() => {
        const g = globalThis as unknown as DropGlobals;
        const input = g.document.createElement('input');
        input.type = 'file';
        input.multiple = true;
        input.id = 'spec-drop-source';
        g.document.body.append(input);
      });
      await page.locator('#spec-drop-source').setInputFiles(files);
      const paths = await page.evaluate(() => {
        const g = globalThis as unknown as DropGlobals;
        const picked = Array.from(g.document.getElementById('spec-drop-source')!.files);
        const dt = new g.DataTransfer();
        for (const file of picked) dt.items.add(file);
        for (const type of ['dragenter', 'dragover', 'drop']) g.dispatchEvent(new g.DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
        return picked.map((file) => g.ferryDesktop.pathForFile(file));
      });
      expect(paths).toEqual(files);

      // The engine counted the files on disk (no bytes went through the page) and uploads them.
      const sheet = new UploadSheet(page);
      await sheet.expectOpen();
      await sheet.expectCounted(2);
      await sheet.start();
      const jobs = new JobsPage(page);
      const id = Number(await jobs.detail.getAttribute('data-job-id'));
      await expect.poll(async () => (await callFerry(page, 'getJob', { id })).state, { timeout: 30_000 }).toBe('completed');
      expect((await callFerry(page, 'getJob', { id })).counts).toMatchObject({ processed: 2, failed: 0 });
    } finally {
      await ferry.close();
      rmSync(source, { recursive: true, force: true });
    }
  });
});
