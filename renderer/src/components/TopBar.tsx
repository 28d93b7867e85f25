/** App name, theme switch and the primary action. */
import type { ReactElement } from 'react';
import { createDemoJob } from '../store/actions';
import { FerryMark, PlusIcon } from './icons';
import { ThemeSwitch } from './ThemeSwitch';
import './TopBar.css';

export function TopBar(): ReactElement {
  return (
    <header className="top-bar">
      <div className="top-bar-brand">
        <FerryMark />
        <span className="top-bar-name">Ferry</span>
        <span className="top-bar-tagline">datasets &amp; jobs</span>
      </div>
      <div className="top-bar-actions">
        <ThemeSwitch />
        <button type="button" className="btn btn-primary" onClick={() => void createDemoJob()}>
          <PlusIcon />
          New demo job
        </button>
      </div>
    </header>
  );
}
