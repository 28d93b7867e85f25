import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadWindowState, onSomeDisplay, windowStateSaver, type WindowState } from '../../../../main/hosts/desktop/windowState';
import { makeTmpDir, type TmpDir } from '../../../helpers/tmpDir';

const laptop = { x: 0, y: 0, width: 1440, height: 875 };
const monitorRight = { x: 1440, y: 0, width: 2560, height: 1415 };

describe('the window comes back where it was', () => {
  let dir: TmpDir | undefined;
  afterEach(async () => {
    await dir?.cleanup();
    dir = undefined;
    vi.useRealTimers();
  });

  it('on the display it was on; at the default place once that display is gone', () => {
    dir = makeTmpDir('ferry-window-');
    const onMonitor: WindowState = { bounds: { x: 2000, y: 100, width: 1280, height: 820 }, maximized: true };
    const saver = windowStateSaver(dir.dir, () => onMonitor);
    saver.closing();
    expect(loadWindowState(dir.dir, [laptop, monitorRight])).toEqual(onMonitor);
    // The monitor was unplugged: the window would open where nobody can see it.
    expect(loadWindowState(dir.dir, [laptop])).toBeUndefined();
  });

  it('counts a window partly on a display as visible, one just beside it as not', () => {
    expect(onSomeDisplay({ x: 1400, y: 800, width: 1280, height: 820 }, [laptop])).toBe(true);
    expect(onSomeDisplay({ x: 1440, y: 0, width: 800, height: 600 }, [laptop])).toBe(false);
    expect(onSomeDisplay({ x: -800, y: 0, width: 800, height: 600 }, [laptop])).toBe(false);
  });

  it('opens at the default place with no file or a damaged one', () => {
    dir = makeTmpDir('ferry-window-');
    expect(loadWindowState(dir.dir, [laptop])).toBeUndefined();
    writeFileSync(join(dir.dir, 'window-state.json'), '{"bounds": ');
    expect(loadWindowState(dir.dir, [laptop])).toBeUndefined();
  });

  it('writes once moves and resizes settle, the latest place, readable only by the user', () => {
    dir = makeTmpDir('ferry-window-');
    vi.useFakeTimers();
    let state: WindowState | null = { bounds: { x: 10, y: 10, width: 1000, height: 700 }, maximized: false };
    let reads = 0;
    const saver = windowStateSaver(dir.dir, () => (reads++, state));
    for (let x = 10; x <= 50; x += 10) {
      state = { ...state!, bounds: { ...state!.bounds, x } };
      saver.changed();
    }
    expect(reads).toBe(0);
    vi.advanceTimersByTime(500);
    expect(reads).toBe(1);
    const file = join(dir.dir, 'window-state.json');
    expect(JSON.parse(readFileSync(file, 'utf8')).bounds.x).toBe(50);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // A window already gone writes nothing.
    state = null;
    saver.closing();
    expect(JSON.parse(readFileSync(file, 'utf8')).bounds.x).toBe(50);
  });
});
