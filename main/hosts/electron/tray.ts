import { app, Menu, nativeImage, Tray } from 'electron';
import type { EngineStats } from '../../../shared/model';
import { seamTrayMenu, seamTrayTooltip } from '../desktop/e2eSeam';
import { trayMenu, type TrayMenuActions } from '../desktop/menus';
import { trayIconFile, trayTooltip } from '../desktop/tray';

/** The tray icon: aggregate progress in its tooltip and a menu to show, pause, resume and quit. */
export function createTray(actions: TrayMenuActions): { update(stats: EngineStats): void; destroy(): void } {
  const icon = trayIconFile(app.getAppPath(), process.platform);
  const image = nativeImage.createFromPath(icon.file);
  if (icon.template) image.setTemplateImage(true);
  const tray = new Tray(image);
  tray.setToolTip('Ferry');
  const menu = Menu.buildFromTemplate(trayMenu(actions));
  tray.setContextMenu(menu);
  seamTrayMenu(menu.items.map((item) => ({ label: item.label, click: () => item.click() })));
  tray.on('click', () => actions.show());
  return {
    update(stats) {
      const tooltip = trayTooltip(stats);
      tray.setToolTip(tooltip);
      seamTrayTooltip(tooltip);
    },
    destroy: () => tray.destroy(),
  };
}
