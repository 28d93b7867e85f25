import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximized: boolean;
}

const FILE = 'window-state.json';

/** Whether any part of the bounds lies on one of the displays' work areas. */
export function onSomeDisplay(bounds: Rect, workAreas: Rect[]): boolean {
  return workAreas.some((a) => bounds.x < a.x + a.width && bounds.x + bounds.width > a.x && bounds.y < a.y + a.height && bounds.y + bounds.height > a.y);
}

/**
 * The size, position and maximized state the window had last time, if it still shows on one of
 * the connected displays; otherwise (a display was unplugged, the file is missing or damaged)
 * nothing, and the window opens at its default place.
 */
export function loadWindowState(dataDir: string, workAreas: Rect[]): WindowState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as WindowState;
    return onSomeDisplay(state.bounds, workAreas) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Remembers the window's state: `changed` on every move or resize (written once things settle),
 * `closing` at once. `read` answers null once the window is gone.
 */
export function windowStateSaver(dataDir: string, read: () => WindowState | null, settleMs = 500): { changed(): void; closing(): void } {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    const state = read();
    if (!state) return;
    try {
      writeFileSync(join(dataDir, FILE), JSON.stringify(state), { mode: 0o600 });
    } catch {
      // Losing the window position is not worth an error dialog.
    }
  };
  return {
    changed() {
      clearTimeout(timer);
      timer = setTimeout(save, settleMs);
    },
    closing: save,
  };
}
