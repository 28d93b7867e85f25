import { afterEach, describe, expect, it, vi } from 'vitest';

type Seam = typeof import('../../../../main/hosts/desktop/e2eSeam');
const root = globalThis as { __ferryE2E?: unknown };

/** A fresh copy of the module, loaded with FERRY_E2E as given (it reads it once, when loaded). */
async function loadSeam(flag: string | undefined): Promise<Seam> {
  vi.resetModules();
  vi.stubEnv('FERRY_E2E', flag);
  return import('../../../../main/hosts/desktop/e2eSeam');
}

describe('the desktop e2e seam', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    delete root.__ferryE2E;
  });

  it('is off unless FERRY_E2E=1: no global, and recording does nothing', async () => {
    for (const flag of [undefined, '', '0', 'true']) {
      const seam = await loadSeam(flag);
      seam.seamRefused('navigate', 'http://example.com/');
      seam.seamTrayTooltip('Ferry: idle');
      seam.seamNotification({ title: 't', body: 'b', jobId: 1, shown: true, click: () => undefined });
      expect(root.__ferryE2E).toBeUndefined();
    }
  });

  it('with FERRY_E2E=1 records what the suite asserts on', async () => {
    const seam = await loadSeam('1');
    const clicks: number[] = [];
    seam.seamTrayTooltip('Ferry: 2 paused');
    seam.seamRefused('open', 'ferry://app/index.html');
    seam.seamNotification({ title: 'Done: x', body: 'Job #3 completed.', jobId: 3, shown: false, click: () => clicks.push(3) });
    const state = root.__ferryE2E as { tray: { tooltip: string }; refused: unknown[]; notifications: { click(): void }[] };
    expect(state.tray.tooltip).toBe('Ferry: 2 paused');
    expect(state.refused).toEqual([{ kind: 'open', url: 'ferry://app/index.html' }]);
    expect(state.notifications).toHaveLength(1);
    state.notifications[0]!.click();
    expect(clicks).toEqual([3]);
  });
});
