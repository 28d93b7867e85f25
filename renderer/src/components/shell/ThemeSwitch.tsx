/** System / light / dark, as a three-way toggle; it saves the `theme` setting and applies at once. */
import type { ReactElement } from 'react';
import { setTheme } from '../../store/actions/settings';
import { selectTheme } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import type { Theme } from '../../theme';
import { MonitorIcon, MoonIcon, SunIcon } from '../common/icons';
import './ThemeSwitch.css';

const OPTIONS: ReadonlyArray<{ theme: Theme; label: string; Icon: typeof SunIcon }> = [
  { theme: 'system', label: 'Use system theme', Icon: MonitorIcon },
  { theme: 'light', label: 'Use light theme', Icon: SunIcon },
  { theme: 'dark', label: 'Use dark theme', Icon: MoonIcon },
];

export function ThemeSwitch(): ReactElement {
  const current = useFerryStore(selectTheme);
  return (
    <div className="theme-switch" role="group" aria-label="Theme">
      {OPTIONS.map(({ theme, label, Icon }) => (
        <button
          key={theme}
          type="button"
          className="btn btn-icon"
          aria-label={label}
          aria-pressed={current === theme}
          title={label}
          onClick={() => void setTheme(theme)}
        >
          <Icon />
        </button>
      ))}
    </div>
  );
}
