import type { z } from 'zod';
import type { triggerInputSchema } from '../../../../shared/contract/pipelines';

export type TriggerInput = z.input<typeof triggerInputSchema>;
export type TriggerFormKind = 'cron' | 'dataset' | 'commit' | 'alert';

export interface TriggerKindInfo {
  kind: TriggerFormKind;
  label: string;
  field: string;
  placeholder: string;
  hint: string;
}

/** The four kinds the app can add, with what their one field asks for (as `orrery pipeline trigger add` does). */
export const triggerKinds: readonly TriggerKindInfo[] = [
  { kind: 'cron', label: 'Schedule (cron)', field: 'Cron expression', placeholder: '0 3 * * *', hint: 'Five fields, local time: minute hour day month weekday.' },
  { kind: 'dataset', label: 'Dataset change', field: 'Dataset path', placeholder: '/data/digits', hint: 'A file or folder on this machine; a change to its content starts a run.' },
  { kind: 'commit', label: 'New commit', field: 'Repository and branch', placeholder: '/home/me/project:main', hint: 'REPO:BRANCH of a local git repository.' },
  { kind: 'alert', label: 'Monitoring alert', field: 'Deployment', placeholder: 'digits', hint: 'A firing drift or performance alert of this deployment starts a run.' },
];

export function triggerKindInfo(kind: TriggerFormKind): TriggerKindInfo {
  return triggerKinds.find((k) => k.kind === kind)!;
}

/** The contract's trigger input for one kind and its value; an empty value is refused here, naming the field. */
export function triggerInput(kind: TriggerFormKind, value: string): { ok: true; trigger: TriggerInput } | { ok: false; error: string } {
  const text = value.trim();
  if (text === '') return { ok: false, error: `${triggerKindInfo(kind).field} is required` };
  switch (kind) {
    case 'cron':
      return { ok: true, trigger: { cron: text } };
    case 'dataset':
      return { ok: true, trigger: { dataset: text } };
    case 'commit':
      return { ok: true, trigger: { commit: text } };
    case 'alert':
      return { ok: true, trigger: { alert: text } };
  }
}

/**
 * Where an app error about the trigger belongs: the value field when it names `trigger.<kind>`
 * (or `trigger`), shown there without the path prefix; anything else stays a form-wide error.
 */
export function triggerErrorPlacement(message: string): { field: string } | { form: string } {
  const text = message.replace(/^Invalid input for [\w.]+: /, '');
  const named = /^trigger(?:\.\w+)?: (.*)$/s.exec(text);
  return named ? { field: named[1]! } : { form: message };
}
