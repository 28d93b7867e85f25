/** Transient messages in the bottom-right corner; errors carry their stable code. */
import type { ReactElement } from 'react';
import { dismissToast } from '../store/actions';
import { selectToasts } from '../store/selectors';
import { useFerryStore } from '../store/store';
import { CloseIcon } from './icons';
import './Toasts.css';

export function Toasts(): ReactElement {
  const toasts = useFerryStore(selectToasts);
  return (
    <div className="toasts" aria-live="polite" aria-relevant="additions">
      {toasts.map((toast) => (
        <div
          key={toast.id}
          className={`toast toast-${toast.kind}`}
          role={toast.kind === 'error' ? 'alert' : 'status'}
          data-testid="toast"
          data-kind={toast.kind}
          data-code={toast.code}
        >
          <div className="toast-body">
            <div className="toast-title">
              {toast.code ? <span className="toast-code">{toast.code}</span> : null}
              {toast.title}
            </div>
            <div className="toast-message">{toast.message}</div>
          </div>
          <button type="button" className="btn btn-icon btn-ghost toast-close" aria-label="Dismiss" onClick={() => dismissToast(toast.id)}>
            <CloseIcon />
          </button>
        </div>
      ))}
    </div>
  );
}
