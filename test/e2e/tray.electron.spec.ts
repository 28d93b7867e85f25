import { expect, test } from '@playwright/test';
import {
  callFerry,
  clickTrayItem,
  closeMainWindow,
  electronForSuite,
  ELECTRON_SKIP_REASON,
  launchFerry,
  openWindowPage,
  seamSnapshot,
  visibleWindows,
} from './electronApp';
import { JobsPage } from './pages/jobsPage';

const bin = electronForSuite('desktop tray suite');

test.describe('tray menu (Electron)', () => {
  test.skip(!bin, ELECTRON_SKIP_REASON);

  test('pause all and resume all act on every job; the tooltip follows', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page } = ferry;
      expect((await seamSnapshot(app)).trayLabels.filter(Boolean)).toEqual(['Show Ferry', 'Pause all', 'Resume all', 'Quit Ferry']);
      const jobs = new JobsPage(page);
      const slow = { items: 5000, itemDelayMs: 50, failRate: 0 };
      const a = await callFerry(page, 'createDemoJob', { ...slow, name: 'tray job a' });
      const b = await callFerry(page, 'createDemoJob', { ...slow, name: 'tray job b' });
      for (const id of [a.id, b.id]) await expect(jobs.row(id)).toHaveAttribute('data-state', 'running');

      await clickTrayItem(app, 'Pause all');
      for (const id of [a.id, b.id]) await expect(jobs.row(id)).toHaveAttribute('data-state', 'paused');
      await expect.poll(async () => (await seamSnapshot(app)).trayTooltip).toBe('Ferry: 2 paused');

      await clickTrayItem(app, 'Resume all');
      for (const id of [a.id, b.id]) await expect(jobs.row(id)).toHaveAttribute('data-state', 'running');
      await expect.poll(async () => (await seamSnapshot(app)).trayTooltip).toMatch(/^Ferry: 2 running/);
    } finally {
      await ferry.close();
    }
  });

  test('closing the window keeps Ferry in the tray, the job goes on, and Show brings the window back', async () => {
    const ferry = await launchFerry(bin!);
    try {
      const { app, page } = ferry;
      const job = await callFerry(page, 'createDemoJob', { name: 'runs without a window', items: 100, itemDelayMs: 50, failRate: 0 });
      await expect(new JobsPage(page).row(job.id)).toHaveAttribute('data-state', 'running');
      await expect.poll(async () => (await seamSnapshot(app)).trayTooltip).toMatch(/^Ferry: 1 running/);
      await closeMainWindow(app);
      await expect.poll(() => visibleWindows(app)).toBe(0);
      // Still running in the tray: the job finishes with no window open.
      await expect.poll(async () => (await seamSnapshot(app)).trayTooltip, { timeout: 20_000 }).toBe('Ferry: idle');
      expect(app.process().exitCode).toBeNull();
      expect(await visibleWindows(app)).toBe(0);

      await clickTrayItem(app, 'Show Ferry');
      await expect.poll(() => visibleWindows(app)).toBe(1);
      const shown = new JobsPage(await openWindowPage(app));
      await expect(shown.row(job.id)).toHaveAttribute('data-state', 'completed');
      expect(shown.page.url()).toMatch(/^ferry:\/\/app\//);
    } finally {
      await ferry.close();
    }
  });

  test('Quit stops Ferry cleanly, and the jobs it was running resume at the next start', async () => {
    const first = await launchFerry(bin!);
    let second: Awaited<ReturnType<typeof launchFerry>> | undefined;
    try {
      const { app, page } = first;
      const jobs = new JobsPage(page);
      const job = await callFerry(page, 'createDemoJob', { name: 'survives quit', items: 5000, itemDelayMs: 50, failRate: 0 });
      await expect(jobs.row(job.id)).toHaveAttribute('data-state', 'running');
      await expect.poll(async () => (await callFerry(page, 'getJob', { id: job.id })).done).toBeGreaterThanOrEqual(3);

      const exited = new Promise<number | null>((resolve) => app.process().once('exit', (code) => resolve(code)));
      await clickTrayItem(app, 'Quit Ferry');
      expect(await exited).toBe(0);

      const restarted = await launchFerry(bin!, { dataDir: first.dataDir });
      second = restarted;
      const again = new JobsPage(restarted.page);
      await expect(again.row(job.id)).toHaveAttribute('data-state', 'running');
      const { events } = await callFerry(restarted.page, 'listEvents', { id: job.id });
      expect(events.map((e) => e.message)).toContain('The engine is stopping; the job resumes from here at the next start');
      // Not from the start: from the item it had reached.
      await expect.poll(async () => (await callFerry(restarted.page, 'readLog', { id: job.id })).text).toMatch(/Resuming after a restart from the saved state[\s\S]*Resuming at item ([4-9]|\d{2,}) of 5000/);
    } finally {
      await second?.close();
      await first.close();
    }
  });
});
