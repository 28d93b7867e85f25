import { app, Menu, nativeImage, Tray } from 'electron';
import { join } from 'node:path';
import type { EngineStats } from '../../../shared/model';
import { formatRate } from '../../../shared/format';
import { seamTrayMenu, seamTrayTooltip } from './e2eSeam';

export interface TrayActions {
  show(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

function trayIcon() {
  const dir = join(app.getAppPath(), 'resources');
  // macOS tints template images for light and dark menu bars.
  const file = process.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png';
  const image = nativeImage.createFromPath(join(dir, file));
  if (process.platform === 'darwin') image.setTemplateImage(true);
  return image;
}

/** The tray icon: aggregate progress in its tooltip and a menu to show, pause, resume and quit. */
export function createTray(actions: TrayActions): { update(stats: EngineStats): void; destroy(): void } {
  const tray = new Tray(trayIcon());
  tray.setToolTip('Ferry');
  const menu = Menu.buildFromTemplate([
    { label: 'Show Ferry', click: actions.show },
    { type: 'separator' },
    { label: 'Pause all', click: actions.pauseAll },
    { label: 'Resume all', click: actions.resumeAll },
    { type: 'separator' },
    { label: 'Quit Ferry', click: actions.quit },
  ]);
  tray.setContextMenu(menu);
  seamTrayMenu(menu);
  tray.on('click', actions.show);
  return {
    update(stats) {
      const tooltip = trayTooltip(stats);
      tray.setToolTip(tooltip);
      seamTrayTooltip(tooltip);
    },
    destroy: () => tray.destroy(),
  };
}

/** "Ferry: 2 running, 45% · 12.3 MB/s · 5 queued" (or idle). */
export function trayTooltip(stats: EngineStats): string {
  const parts: string[] = [];
  if (stats.running > 0) {
    const pct = stats.activeProgress === null ? '' : `, ${Math.floor(stats.activeProgress * 100)}%`;
    parts.push(`${stats.running} running${pct}`);
    if (stats.bytesPerSecond > 0) parts.push(formatRate(stats.bytesPerSecond, 'bytes'));
  }
  if (stats.counts.queued > 0) parts.push(`${stats.counts.queued} queued`);
  if (stats.counts.paused > 0) parts.push(`${stats.counts.paused} paused`);
  return parts.length ? `Ferry: ${parts.join(' · ')}` : 'Ferry: idle';
}
