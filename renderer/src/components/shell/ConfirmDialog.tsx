/** The one confirmation dialog (cancel jobs, delete a destination); the safe answer has focus. */
import type { ReactElement } from 'react';
import { answerConfirm, setConfirmOption } from '../../store/actions/dialogs';
import { useFerryStore } from '../../store/store';
import { Modal } from '../common/Modal';

export function ConfirmDialog(): ReactElement | null {
  const request = useFerryStore((s) => s.ui.confirm);
  if (!request) return null;
  return (
    <Modal
      title={request.title}
      onClose={() => answerConfirm(false)}
      size="small"
      role="alertdialog"
      testId="confirm-dialog"
      footer={
        <>
          <button type="button" className="btn" onClick={() => answerConfirm(false)} data-autofocus>
            Keep
          </button>
          <button type="button" className={`btn ${request.danger ? 'btn-danger-solid' : 'btn-primary'}`} onClick={() => answerConfirm(true)}>
            {request.confirmLabel}
          </button>
        </>
      }
    >
      <p className="confirm-message">{request.message}</p>
      {request.option && (
        <label className="confirm-option">
          <input type="checkbox" checked={request.option.checked} onChange={(e) => setConfirmOption(e.target.checked)} />
          <span>
            {request.option.label}
            {request.option.hint && <span className="confirm-option-hint">{request.option.hint}</span>}
          </span>
        </label>
      )}
    </Modal>
  );
}
