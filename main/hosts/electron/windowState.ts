import type { BrowserWindow, Rectangle } from 'electron';
import { screen } from 'electron';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface SavedState {
  bounds: Rectangle;
  maximized: boolean;
}

const FILE = 'window-state.json';

/** The bounds the window had last time, if they still fit on a connected display. */
export function loadWindowState(dataDir: string): SavedState | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dataDir, FILE), 'utf8')) as SavedState;
    const visible = screen.getAllDisplays().some((d) => {
      const a = d.workArea;
      const b = state.bounds;
      return b.x < a.x + a.width && b.x + b.width > a.x && b.y < a.y + a.height && b.y + b.height > a.y;
    });
    return visible ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers size, position and maximized state as the window changes (debounced). */
export function trackWindowState(win: BrowserWindow, dataDir: string): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed()) return;
    const state: SavedState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(join(dataDir, FILE), JSON.stringify(state), { mode: 0o600 });
    } catch {
      // Losing the window position is not worth an error dialog.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', save);
}
