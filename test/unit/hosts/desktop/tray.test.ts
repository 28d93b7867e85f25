import { afterEach, describe, expect, it, vi } from 'vitest';
import { desktopActions } from '../../../../main/hosts/desktop/desktopActions';
import { trayMenu } from '../../../../main/hosts/desktop/menus';
import { taskbarProgress, trayIconFile, trayTooltip } from '../../../../main/hosts/desktop/tray';
import type { EngineStats, JobState } from '../../../../shared/model';
import { startEngine, waitForJob } from '../../../helpers/engineFixture';
import { navigations, runningDemo, stateOf } from './demoJobs';

const counts = (some: Partial<Record<JobState, number>>) =>
  ({ queued: 0, running: 0, paused: 0, completed: 0, failed: 0, canceled: 0, awaiting_approval: 0, ...some }) as Record<JobState, number>;
const stats = (s: Partial<EngineStats>): EngineStats => ({ counts: counts({}), running: 0, bytesPerSecond: 0, activeProgress: null, ...s });

describe('the tray tooltip', () => {
  it('says what runs, how far, how fast, and what waits', () => {
    expect(trayTooltip(stats({ running: 2, activeProgress: 0.456, bytesPerSecond: 12.3e6, counts: counts({ running: 2, queued: 5 }) }))).toMatch(
      /^Ferry: 2 running, 45% · 12\.3 MB\/s · 5 queued$/,
    );
    expect(trayTooltip(stats({ counts: counts({ paused: 2 }) }))).toBe('Ferry: 2 paused');
    expect(trayTooltip(stats({ running: 1, activeProgress: null }))).toBe('Ferry: 1 running');
    expect(trayTooltip(stats({ counts: counts({ completed: 40, failed: 2 }) }))).toBe('Ferry: idle');
    // Jobs that completed with failed items wait for the user: the tray says so.
    expect(trayTooltip(stats({ counts: counts({ completed: 40, failed: 2 }), partial: 3 }))).toBe('Ferry: 3 completed with failures');
    expect(trayTooltip(stats({ running: 1, activeProgress: null, partial: 1 }))).toBe('Ferry: 1 running · 1 completed with failures');
  });

  it('follows a real engine: idle, then a running job with its progress', async () => {
    const f = startEngine();
    try {
      expect(trayTooltip(f.engine.stats())).toBe('Ferry: idle');
      const id = await runningDemo(f.engine, 'tooltip');
      await waitForJob(f.engine, id, (j) => j.done >= 1);
      expect(trayTooltip(f.engine.stats())).toMatch(/^Ferry: 1 running, \d+%/);
    } finally {
      await f.dispose();
    }
  });

  it('shows the progress in the taskbar only while something runs', () => {
    expect(taskbarProgress(stats({ running: 1, activeProgress: 0.25 }))).toBe(0.25);
    expect(taskbarProgress(stats({}))).toBe(-1);
  });

  it('uses a template icon on macOS only', () => {
    expect(trayIconFile('/app', 'darwin')).toEqual({ file: '/app/resources/trayTemplate.png', template: true });
    expect(trayIconFile('/app', 'linux')).toEqual({ file: '/app/resources/tray.png', template: false });
  });
});

describe('the tray menu', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  const click = (menu: ReturnType<typeof trayMenu>, label: string) => {
    const item = menu.find((e) => 'label' in e && e.label === label);
    if (!item || !('click' in item)) throw new Error(`no item ${label}`);
    item.click();
  };

  it('offers show, pause all, resume all and quit, which do that to every job and the window', async () => {
    const f = startEngine();
    dispose = f.dispose;
    const window = { shown: 0, quit: 0, show: () => void window.shown++, quitApp: () => void window.quit++ };
    const menu = trayMenu(desktopActions(f.engine, { show: window.show, quit: window.quitApp }));
    expect(menu.map((e) => ('label' in e ? e.label : '—'))).toEqual(['Show Ferry', '—', 'Pause all', 'Resume all', '—', 'Quit Ferry']);

    const a = await runningDemo(f.engine, 'tray a');
    const b = await runningDemo(f.engine, 'tray b');
    click(menu, 'Pause all');
    expect([stateOf(f.engine, a), stateOf(f.engine, b)]).toEqual(['paused', 'paused']);
    // The runners stop at their next checkpoint; then the tooltip says so.
    await vi.waitFor(() => expect(trayTooltip(f.engine.stats())).toBe('Ferry: 2 paused'), { timeout: 10_000 });
    click(menu, 'Resume all');
    for (const id of [a, b]) await waitForJob(f.engine, id, (j) => j.state === 'running');

    click(menu, 'Show Ferry');
    click(menu, 'Quit Ferry');
    expect(window).toMatchObject({ shown: 1, quit: 1 });
  });

  it('opens a view by showing the window and asking the renderer to go there', async () => {
    const f = startEngine();
    dispose = f.dispose;
    let shown = 0;
    const nav = navigations(f.engine);
    desktopActions(f.engine, { show: () => void shown++, quit: () => undefined }).open({ view: 'newUpload' });
    expect(shown).toBe(1);
    expect(nav.seen).toEqual([{ view: 'newUpload' }]);
    nav.close();
  });
});
