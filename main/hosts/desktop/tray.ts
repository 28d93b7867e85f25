import { join } from 'node:path';
import type { EngineStats } from '../../../shared/model';
import { formatRate } from '../../../shared/format';

/**
 * The tray's tooltip, the aggregate of every job: "Ferry: 2 running, 45% · 12.3 MB/s · 5 queued"
 * (or idle), and the jobs that completed with failed items, which wait for the user to look.
 */
export function trayTooltip(stats: EngineStats): string {
  const parts: string[] = [];
  if (stats.running > 0) {
    const pct = stats.activeProgress === null ? '' : `, ${Math.floor(stats.activeProgress * 100)}%`;
    parts.push(`${stats.running} running${pct}`);
    if (stats.bytesPerSecond > 0) parts.push(formatRate(stats.bytesPerSecond, 'bytes'));
  }
  if (stats.counts.queued > 0) parts.push(`${stats.counts.queued} queued`);
  if (stats.counts.paused > 0) parts.push(`${stats.counts.paused} paused`);
  if ((stats.partial ?? 0) > 0) parts.push(`${stats.partial} completed with failures`);
  return parts.length ? `Ferry: ${parts.join(' · ')}` : 'Ferry: idle';
}

/** The window's progress in the taskbar or dock: the running jobs' fraction, or none (-1). */
export function taskbarProgress(stats: EngineStats): number {
  return stats.activeProgress ?? -1;
}

/** The tray icon: macOS tints a template image for light and dark menu bars. */
export function trayIconFile(appPath: string, platform: NodeJS.Platform): { file: string; template: boolean } {
  const mac = platform === 'darwin';
  return { file: join(appPath, 'resources', mac ? 'trayTemplate.png' : 'tray.png'), template: mac };
}
