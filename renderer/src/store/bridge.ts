/**
 * Connects the store to the engine. The app-wide streams (`jobs.changed`, `stats`, `app.navigate`,
 * `settings.changed`) open first, so nothing changes unseen while the first loads travel; then
 * every connect (and reconnect, to catch what changed while away) loads capabilities, settings,
 * destinations, places and the job table's first page. The active job's own streams live in
 * jobFollowers.ts.
 */
import { ferry, onConnectionChange } from '../transport';
import { loadDestinations } from './actions/destinations';
import { loadJobView } from './actions/jobs';
import { handleNavigate } from './actions/navigation';
import { adoptTheme, loadSettings } from './actions/settings';
import { showError } from './actions/toasts';
import { followActiveJob } from './jobFollowers';
import { useFerryStore } from './store';

const RESUBSCRIBE_MS = 2000;
const store = useFerryStore.getState;

async function loadCapabilities(): Promise<void> {
  try {
    store().setCapabilities(await ferry.capabilities({}));
  } catch (err) {
    showError('Could not ask Ferry what this window can do', err);
  }
}

function loadEverything(): void {
  void loadCapabilities();
  void loadSettings();
  void loadDestinations();
  void loadJobView();
}

export function startBridge(): () => void {
  const stops: Array<() => void> = [];
  let stopped = false;
  let connectedBefore = false;

  /** Opens an app-wide stream again a moment after an error closed it. */
  function keepOpen(open: (onError: (err: Error) => void) => () => void, what: string): void {
    let stop: () => void = () => undefined;
    const start = () => {
      stop = open((err) => {
        showError(`${what} stopped`, err);
        window.setTimeout(() => {
          if (!stopped) start();
        }, RESUBSCRIBE_MS);
      });
    };
    start();
    stops.push(() => stop());
  }

  keepOpen(
    (onError) =>
      ferry.subscribe(
        'jobs.changed',
        {},
        ({ upserts, removed }) => {
          const s = store();
          if (upserts.length > 0) s.upsertJobs(upserts);
          if (removed.length > 0) {
            s.removeJobs(removed);
            s.dropSelected(removed);
          }
        },
        onError,
      ),
    'Live job updates',
  );
  keepOpen((onError) => ferry.subscribe('stats', {}, (stats) => store().applyStats(stats, Date.now()), onError), 'Live figures');
  keepOpen((onError) => ferry.subscribe('app.navigate', {}, (request) => void handleNavigate(request), onError), 'Requests from the app');
  // A change saved in another window or tab, or by the CLI, shows here without a reload.
  keepOpen(
    (onError) =>
      ferry.subscribe(
        'settings.changed',
        {},
        (settings) => {
          store().receiveSettings(settings);
          if (settings.theme !== store().ui.theme) adoptTheme(settings.theme);
        },
        onError,
      ),
    'Live settings',
  );

  stops.push(
    onConnectionChange((status) => {
      store().setConnection(status);
      if (status.state !== 'online') return;
      if (!connectedBefore || store().jobs.view.status !== 'loading') loadEverything();
      connectedBefore = true;
    }),
  );
  stops.push(followActiveJob());

  return () => {
    stopped = true;
    for (const stop of stops.splice(0)) stop();
  };
}
