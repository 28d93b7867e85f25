/** Transient messages in the bottom-right corner; errors carry their stable code and, on request, details. */
import type { ReactElement } from 'react';
import { dismissToast } from '../../store/actions/toasts';
import { selectToasts } from '../../store/selectors';
import { useFerryStore } from '../../store/store';
import { AlertIcon, CheckIcon, CloseIcon, InfoIcon } from '../common/icons';
import './Toasts.css';

const ICONS = { error: AlertIcon, info: InfoIcon, success: CheckIcon } as const;

export function Toasts(): ReactElement {
  const toasts = useFerryStore(selectToasts);
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions">
      {toasts.map((toast) => {
        const Icon = ICONS[toast.kind];
        return (
          <div
            key={toast.id}
            className={`toast toast-${toast.kind}`}
            role={toast.kind === 'error' ? 'alert' : 'status'}
            data-testid="toast"
            data-kind={toast.kind}
            data-code={toast.code}
          >
            <span className="toast-icon">
              <Icon />
            </span>
            <div className="toast-body">
              <div className="toast-title">
                {toast.title}
                {toast.code ? <span className="toast-code">{toast.code}</span> : null}
              </div>
              <div className="toast-message">{toast.message}</div>
              {toast.details ? (
                <details className="toast-details">
                  <summary>Details</summary>
                  <pre>{toast.details}</pre>
                </details>
              ) : null}
            </div>
            <button type="button" className="btn btn-icon btn-ghost toast-close" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
              <CloseIcon />
            </button>
          </div>
        );
      })}
    </div>
  );
}
