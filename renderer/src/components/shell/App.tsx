/**
 * The window: sidebar, the open screen, and what floats above (sheets, dialogs, menus, toasts,
 * the drop overlay). Global shortcuts and the window-wide drop target are wired here once.
 */
import type { ReactElement } from 'react';
import { selectView } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { BrowseView } from '../browse/BrowseView';
import { DestinationEditor } from '../destinations/DestinationEditor';
import { DestinationsView } from '../destinations/DestinationsView';
import { JobContextMenu } from '../jobs/JobContextMenu';
import { JobsView } from '../jobs/JobsView';
import { SettingsView } from '../settings/SettingsView';
import { StatsView } from '../stats/StatsView';
import { NewJobSheet } from '../newjob/NewJobSheet';
import { NewUploadSheet } from '../upload/NewUploadSheet';
import { ConfirmDialog } from './ConfirmDialog';
import { ConnectionBanner } from './ConnectionBanner';
import { DropOverlay } from './DropOverlay';
import { ShortcutsSheet } from './ShortcutsSheet';
import { WatchScreen } from '../watch/WatchScreen';
import { WebhooksView } from '../webhooks/WebhooksView';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';
import { Toasts } from './Toasts';
import { useGlobalShortcuts } from './useGlobalShortcuts';
import { useWindowDrop } from './useWindowDrop';
import './App.css';

function Screen(): ReactElement {
  const view = useFerryStore(selectView);
  switch (view) {
    case 'browse':
      return <BrowseView />;
    case 'destinations':
      return <DestinationsView />;
    case 'watch':
      return <WatchScreen />;
    case 'webhooks':
      return <WebhooksView />;
    case 'stats':
      return <StatsView />;
    case 'settings':
      return <SettingsView />;
    default:
      return <JobsView />;
  }
}

export function App(): ReactElement {
  useGlobalShortcuts();
  useWindowDrop();
  return (
    <div className="app">
      {/* The first tab stop: keyboard users skip the sidebar's dozen links. */}
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <ConnectionBanner />
      <div className="app-shell">
        <Sidebar />
        <main className="app-main" id="main" tabIndex={-1}>
          <Screen />
          {/* Inside the main landmark, with the rows it acts on (it is positioned fixed). */}
          <JobContextMenu />
        </main>
      </div>
      <StatusBar />
      <NewUploadSheet />
      <NewJobSheet />
      <DestinationEditor />
      <ShortcutsSheet />
      <ConfirmDialog />
      <DropOverlay />
      <Toasts />
    </div>
  );
}
