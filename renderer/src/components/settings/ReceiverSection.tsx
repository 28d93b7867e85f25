/**
 * The built-in receiver: its port, sharing it with other computers on the network, and the access
 * token they must send. The token is write-only: generated here, shown once to be copied, then
 * only "set" is known (the engine keeps it with the other secrets).
 */
import { useEffect, useState } from 'react';
import type { ReactElement } from 'react';
import type { ReceiverView } from '../../../../shared/contract';
import type { Settings } from '../../../../shared/settings';
import { copyText } from '../../lib/clipboard';
import { randomSecret } from '../../lib/randomSecret';
import { loadReceiver, setReceiverToken } from '../../store/actions/settings';
import { showToast } from '../../store/actions/toasts';
import { Field } from '../common/Field';
import type { SettingsForm } from './settingsForm';

interface Props {
  /** The saved settings: the receiver is asked again whenever they change. */
  settings: Settings;
  form: SettingsForm;
  change: (patch: Partial<SettingsForm>) => void;
  portError: string | null;
}

export function ReceiverSection({ settings, form, change, portError }: Props): ReactElement {
  const [receiver, setReceiver] = useState<ReceiverView | null>(null);
  const [fresh, setFresh] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void loadReceiver().then((r) => live && setReceiver(r));
    return () => {
      live = false;
    };
  }, [settings]);

  const generate = async () => {
    const token = randomSecret();
    setBusy(true);
    const view = await setReceiverToken(token);
    setBusy(false);
    if (view) {
      setReceiver(view);
      setFresh(token);
    }
  };
  const tokenSet = receiver?.tokenSet ?? false;

  return (
    <section className="settings-section" aria-labelledby="settings-receiver">
      <div className="settings-section-head">
        <h2 id="settings-receiver" className="settings-section-title">
          Built-in receiver
        </h2>
        <p className="settings-section-desc">Where datasets sent to this computer arrive, from Ferry here or from other computers.</p>
      </div>
      <div className="settings-section-body">
        <p className="receiver-status" data-testid="receiver-status">
          {receiver === null ? (
            'Asking the receiver…'
          ) : receiver.running ? (
            <>
              Listening at <code>{receiver.url}</code>
              {receiver.onLan ? ' and on the network' : ' (this computer only)'}
            </>
          ) : (
            <span className="upload-error">Not running.</span>
          )}
          {receiver?.error ? <span className="upload-error"> {receiver.error}</span> : null}
        </p>
        {receiver?.onLan && receiver.lanUrls.length > 0 ? (
          <ul className="receiver-urls" aria-label="Addresses for other computers">
            {receiver.lanUrls.map((u) => (
              <li key={u}>
                <code>{u}</code>
              </li>
            ))}
          </ul>
        ) : null}
        <div className="settings-grid">
          <Field label="Port" hint="0 picks a free port once and keeps it, which is enough on this computer; other computers need a fixed one." error={portError}>
            <input className="input input-number" type="number" min={0} max={65535} step={1} value={form.receiverPort} onChange={(ev) => change({ receiverPort: ev.target.value })} />
          </Field>
        </div>
        <Field
          label="Let other computers on the network upload here"
          inline
          hint={tokenSet ? 'They send the access token as Authorization: Bearer <token> (a tus destination with that header).' : 'Generate an access token first.'}
        >
          <input type="checkbox" className="checkbox" checked={form.receiverOnLan} disabled={!tokenSet && !form.receiverOnLan} onChange={(ev) => change({ receiverOnLan: ev.target.checked })} />
        </Field>
        <Field
          label="Ask for the access token on this computer too"
          inline
          hint={tokenSet ? 'No other program here can write into the receiver without it; Ferry’s own uploads send it.' : 'Generate an access token first.'}
        >
          <input
            type="checkbox"
            className="checkbox"
            checked={form.receiverRequireToken}
            disabled={!tokenSet && !form.receiverRequireToken}
            onChange={(ev) => change({ receiverRequireToken: ev.target.checked })}
          />
        </Field>
        <div className="receiver-token">
          <span className="field-label">Access token</span>
          <span className={tokenSet ? 'receiver-token-state receiver-token-state-set' : 'receiver-token-state'} data-testid="receiver-token-state">
            {tokenSet ? 'Set' : 'Not set'}
          </span>
          <button type="button" className="btn" disabled={busy} onClick={() => void generate()}>
            {tokenSet ? 'Replace with a new token' : 'Generate a token'}
          </button>
        </div>
        {fresh ? (
          <div className="receiver-fresh" role="status">
            <input className="input input-mono" readOnly value={fresh} aria-label="New access token" onFocus={(ev) => ev.target.select()} />
            <button
              type="button"
              className="btn"
              onClick={() =>
                void copyText(fresh).then(
                  () => showToast('success', 'Copied', 'The access token is on the clipboard.'),
                  () => showToast('error', 'Could not copy', 'Select the token and copy it yourself.'),
                )
              }
            >
              Copy
            </button>
            <span className="muted">Copy it now: Ferry does not show it again.</span>
          </div>
        ) : null}
      </div>
    </section>
  );
}
