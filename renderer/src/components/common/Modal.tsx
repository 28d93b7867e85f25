/**
 * A modal sheet on the native <dialog> (focus trapped, Escape closes, top layer), with a title the
 * dialog is named by, a scrolling body and an optional footer of actions.
 */
import { useId, useLayoutEffect, useRef } from 'react';
import type { ReactElement, ReactNode } from 'react';
import { CloseIcon } from './icons';
import './Modal.css';

interface ModalProps {
  title: ReactNode;
  subtitle?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  size?: 'small' | 'medium' | 'large';
  testId?: string;
  /** Escape and the backdrop are ignored while something must finish (staging). */
  locked?: boolean;
  role?: 'dialog' | 'alertdialog';
  /** Escape closes the innermost layer: a sheet with an inner layer open (a picker) closes that instead. */
  onEscape?: () => void;
}

export function Modal({ title, subtitle, onClose, children, footer, size = 'medium', testId, locked = false, role = 'dialog', onEscape }: ModalProps): ReactElement {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const subtitleId = useId();

  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return undefined;
    if (!dialog.open) dialog.showModal();
    // showModal focuses the first focusable element, which would be the close button: start on
    // the element marked for it, else the first field, else the sheet itself.
    const first = dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>('.modal-body :is(input, select, textarea):not([type="hidden"]):not(:disabled)');
    (first ?? dialog).focus();
    return () => dialog.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className={`modal modal-${size}`}
      tabIndex={-1}
      role={role}
      aria-labelledby={titleId}
      aria-describedby={subtitle ? subtitleId : undefined}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault();
        if (!locked) (onEscape ?? onClose)();
      }}
      onMouseDown={(event) => {
        if (event.target === event.currentTarget && !locked) onClose();
      }}
    >
      <div className="modal-frame">
        <header className="modal-header">
          <div className="modal-titles">
            <h2 id={titleId} className="modal-title">
              {title}
            </h2>
            {subtitle ? (
              <p id={subtitleId} className="modal-subtitle">
                {subtitle}
              </p>
            ) : null}
          </div>
          <button type="button" className="btn btn-icon btn-ghost modal-close" aria-label="Close" onClick={onClose} disabled={locked}>
            <CloseIcon />
          </button>
        </header>
        <div className="modal-body">{children}</div>
        {footer ? <footer className="modal-footer">{footer}</footer> : null}
      </div>
    </dialog>
  );
}
