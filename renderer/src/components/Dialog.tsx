import { useEffect, useRef, type FormEvent, type ReactNode } from 'react';
import '../styles/forms.css';

interface DialogProps {
  title: string;
  testId?: string;
  /** Called on Escape, on the close button and by the caller's Cancel. */
  onClose(): void;
  onSubmit(event: FormEvent<HTMLFormElement>): void;
  /** The primary button: its label, and its label while the action runs. */
  submit: { label: string; busyLabel: string; busy: boolean; testId?: string; /** Deletes or stops something: drawn as such. */ danger?: boolean };
  /** Replaces the standard Cancel + primary buttons (a dialog whose action has finished). */
  footer?: ReactNode;
  children: ReactNode;
}

/** A modal form dialog: a title bar, a scrolling body and a footer of actions. */
export function Dialog({ title, testId, onClose, onSubmit, submit, footer, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog dialog-narrow"
      data-testid={testId}
      aria-label={title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(e);
        }}
      >
        <header className="dialog-head">
          <h2>{title}</h2>
          <button type="button" className="btn btn-small" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </header>
        <div className="dialog-body">{children}</div>
        <footer className="dialog-foot">
          {footer ?? (
            <>
              <button type="button" className="btn" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className={`btn ${submit.danger ? 'btn-danger' : 'btn-primary'}`} disabled={submit.busy} data-testid={submit.testId}>
                {submit.busy ? submit.busyLabel : submit.label}
              </button>
            </>
          )}
        </footer>
      </form>
    </dialog>
  );
}
