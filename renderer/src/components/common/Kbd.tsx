/** A key as the shortcuts sheet and tooltips show it (⌘ on macOS, Ctrl elsewhere). */
import type { ReactElement } from 'react';

export const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
export const MOD_LABEL = IS_MAC ? '⌘' : 'Ctrl';

export function Kbd({ children }: { children: string }): ReactElement {
  return <kbd className="kbd">{children === 'Mod' ? MOD_LABEL : children}</kbd>;
}
