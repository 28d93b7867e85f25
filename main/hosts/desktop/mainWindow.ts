import { join } from 'node:path';
import type { Rect } from './windowState';

/**
 * The main window's options: sandboxed, isolated, no Node in the renderer, at the saved bounds
 * (or a default size).
 */
export function mainWindowOptions(preload: string, appPath: string, bounds?: Rect) {
  return {
    width: bounds?.width ?? 1280,
    height: bounds?.height ?? 820,
    ...(bounds ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'Ferry',
    icon: join(appPath, 'resources/icon.png'),
    backgroundColor: '#1b1d22',
    webPreferences: {
      preload,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  };
}

/** The built preload, beside the built main bundle. */
export function preloadPath(mainDir: string): string {
  return join(mainDir, '../preload/index.cjs');
}

/**
 * Whether closing the window only hides it: Ferry stays in the tray so transfers go on (Quit is
 * in the tray menu), except when quitting and on macOS, where closing a window never quits.
 */
export function closeHidesWindow(quitting: boolean, platform: NodeJS.Platform): boolean {
  return !quitting && platform !== 'darwin';
}
