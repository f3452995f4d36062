import { useState } from 'react';
import type { AlertView } from '../../../../shared/contract/monitoring';
import { useClient } from '../../api/client-context';
import { Dialog } from '../../components/Dialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { TextField } from '../../components/Field';
import { useAction } from '../../lib/use-action';
import { useActor } from '../models/use-actor';
import { SILENCE_PRESETS_HOURS, parseSilenceUntil, toDateTimeLocal } from './silence-time';

/** "Silence until…": no notification for this alert's rule until the chosen time. */
export function SilenceDialog({ alert, onClose, onDone }: { alert: AlertView; onClose(): void; onDone(next: AlertView): void }) {
  const client = useClient();
  const actor = useActor();
  const run = useAction();
  const [text, setText] = useState(() => toDateTimeLocal(Date.now() + 3_600_000));
  const [attempted, setAttempted] = useState(false);
  const parsed = parseSilenceUntil(text, Date.now());
  // A refusal is about the time chosen: it goes once another is chosen.
  const choose = (next: string) => {
    setText(next);
    run.clearError();
  };
  return (
    <Dialog
      title={`Silence “${alert.name}”`}
      testId="silence-dialog"
      onClose={onClose}
      onSubmit={() => {
        setAttempted(true);
        if (parsed.until === undefined) return;
        void run.run(async () => {
          onDone(await client.call('monitoring.silenceAlert', { id: alert.id, until: parsed.until!, actor }));
          onClose();
        });
      }}
      submit={{ label: 'Silence', busyLabel: 'Silencing…', busy: run.busy, testId: 'silence-submit' }}
    >
      <p className="small">No notification (desktop or webhook) for {alert.deployment}’s rule “{alert.name}” until then; the inbox still shows it.</p>
      <div className="actions">
        {SILENCE_PRESETS_HOURS.map((h) => (
          <button key={h} type="button" className="btn btn-small" onClick={() => choose(toDateTimeLocal(Date.now() + h * 3_600_000))}>
            {h} h
          </button>
        ))}
      </div>
      <TextField label="Until" value={text} onChange={choose} error={attempted ? parsed.error : undefined} hint="local time" input={{ type: 'datetime-local' }} testId="silence-until" />
      {run.error && <ErrorNotice title="Could not silence the alert." error={run.error} />}
    </Dialog>
  );
}
