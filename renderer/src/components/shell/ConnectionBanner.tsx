/** Says when the engine cannot be reached (web host only; IPC is always connected). */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { reconnectNow } from '../../transport';
import { selectConnection } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import './ConnectionBanner.css';

/** Seconds until `at`, refreshed every second while there is a time to count down to. */
function useSecondsUntil(at: number | null): number | null {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (at === null) return undefined;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [at]);
  return at === null ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

export function ConnectionBanner(): ReactElement | null {
  const { state, attempt, retryAt } = useFerryStore(useShallow(selectConnection));
  const seconds = useSecondsUntil(state === 'online' ? null : retryAt);
  // The first connect is quick; only say something once it has failed.
  if (state === 'online' || (state === 'connecting' && attempt === 0)) return null;

  if (state === 'unauthorized') {
    return (
      <div className="connection-banner connection-banner-error" role="alert" data-testid="connection-banner" data-state={state}>
        <strong>Not authorised.</strong> Ferry refused this page's access token. Open the address that{' '}
        <code>ferry serve</code> printed.
      </div>
    );
  }
  const what = state === 'connecting' ? 'Cannot reach Ferry.' : 'Connection to Ferry lost.';
  const when = seconds !== null && seconds > 0 ? `Retrying in ${seconds} s` : 'Reconnecting…';
  return (
    <div className="connection-banner" role="status" data-testid="connection-banner" data-state={state}>
      <span className="connection-banner-spinner" aria-hidden="true" />
      <span>
        <strong>{what}</strong> {when}
        {attempt > 1 ? <span className="muted"> (attempt {attempt})</span> : null}
      </span>
      <button type="button" className="btn btn-small" onClick={reconnectNow}>
        Retry now
      </button>
    </div>
  );
}
