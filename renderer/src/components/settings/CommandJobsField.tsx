/**
 * Command jobs are the user's decision at the host, not a setting an API client can save: the
 * field says whether they are allowed and how to change it; the desktop asks in a native dialog.
 */
import type { ReactElement } from 'react';
import { requestCommandJobs } from '../../store/actions/settings';
import { selectCapabilities } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { Field } from '../common/Field';

export function CommandJobsField(): ReactElement {
  const caps = useFerryStore(selectCapabilities);
  const allowed = caps?.commandJobs ?? false;
  const hint = 'Command jobs run programs on this computer with your rights.';
  return (
    <Field label="Command jobs" hint={hint}>
      <div data-testid="command-jobs-state">
        {allowed ? (
          <p>Allowed on this computer.</p>
        ) : caps?.askCommandJobs ? (
          <p>
            Off.{' '}
            <button type="button" className="btn" onClick={() => void requestCommandJobs()}>
              Allow command jobs…
            </button>
          </p>
        ) : (
          <p>
            Off. To allow them, start Ferry with <code>ferry serve --allow-command-jobs</code>, or set <code>&quot;allowCommandJobs&quot;: true</code> in{' '}
            <code>local-config.json</code> of the data directory.
          </p>
        )}
      </div>
    </Field>
  );
}
