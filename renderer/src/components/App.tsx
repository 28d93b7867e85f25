/** The window: top bar, connection banner, job list beside the job detail, status bar, toasts. */
import type { ReactElement } from 'react';
import './App.css';
import { ConnectionBanner } from './ConnectionBanner';
import { JobDetail } from './JobDetail';
import { JobList } from './JobList';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import { TopBar } from './TopBar';

export function App(): ReactElement {
  return (
    <div className="app">
      <TopBar />
      <ConnectionBanner />
      <main className="app-body">
        <section className="pane pane-list" aria-label="Jobs">
          <JobList />
        </section>
        <section className="pane pane-detail" aria-label="Job detail">
          <JobDetail />
        </section>
      </main>
      <StatusBar />
      <Toasts />
    </div>
  );
}
