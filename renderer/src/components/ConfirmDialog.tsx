import type { ReactNode } from 'react';
import { useAction } from '../lib/use-action';
import { Dialog } from './Dialog';
import { ErrorNotice } from './ErrorNotice';

interface ConfirmDialogProps {
  title: string;
  /** What will happen, and how to undo it. */
  children: ReactNode;
  confirm: { label: string; busyLabel: string };
  testId: string;
  /** The action; the dialog closes when it succeeds and shows its error when it fails. */
  onConfirm(): Promise<unknown>;
  onClose(): void;
}

/** Asks before a destructive action, says how to undo it, and does it only once agreed. */
export function ConfirmDialog({ title, children, confirm, testId, onConfirm, onClose }: ConfirmDialogProps) {
  const action = useAction();
  return (
    <Dialog
      title={title}
      testId={testId}
      onClose={onClose}
      onSubmit={() =>
        void action.run(async () => {
          await onConfirm();
          onClose();
        })
      }
      submit={{ ...confirm, busy: action.busy, testId: `${testId}-submit`, danger: true }}
    >
      <div data-testid={`${testId}-text`}>{children}</div>
      {action.error && <ErrorNotice title="That did not work." error={action.error} />}
    </Dialog>
  );
}
