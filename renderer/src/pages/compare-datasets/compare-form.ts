import type { MethodInput } from '../../../../shared/contract/index';
import { columnKinds, driftMethodNames, type ColumnKindName, type DriftMethodId } from '../../../../shared/contract/monitoring';
import { parseNumberField } from '../deployments/deployment-form';

/** What the "Compare datasets" form edits, as typed. */
export interface CompareForm {
  reference: string;
  current: string;
  /** One `column=numeric|categorical` per line, as `orrery monitor drift --column` takes them. */
  kinds: string;
  /** One `column=method[:threshold]` per line, as `--method` takes them. */
  methods: string;
  target: string;
  driftShare: string;
}

export type CompareErrors = Partial<Record<keyof CompareForm | 'form', string>>;
export type CompareInput = MethodInput<'monitoring.compareDatasets'>;

export function initialCompareForm(): CompareForm {
  return { reference: '', current: '', kinds: '', methods: '', target: '', driftShare: '0.5' };
}

/** `name=value` lines; the column name may hold '=' (the last one splits). Blank lines are skipped. */
function assignments(text: string): Array<{ line: number; name: string; value: string; raw: string }> {
  return text
    .split('\n')
    .map((raw, i) => ({ raw: raw.trim(), line: i + 1 }))
    .filter((l) => l.raw !== '')
    .map(({ raw, line }) => {
      const at = raw.lastIndexOf('=');
      return { line, raw, name: at < 0 ? '' : raw.slice(0, at).trim(), value: at < 0 ? '' : raw.slice(at + 1).trim() };
    });
}

export function parseKindOverrides(text: string): { kinds: Record<string, ColumnKindName>; error?: string } {
  const kinds: Record<string, ColumnKindName> = {};
  for (const a of assignments(text)) {
    if (a.name === '') return { kinds, error: `Line ${a.line} ('${a.raw}'): write column=numeric or column=categorical.` };
    if (!columnKinds.includes(a.value as ColumnKindName)) return { kinds, error: `Line ${a.line}: '${a.value}' is not a kind; use numeric or categorical.` };
    kinds[a.name] = a.value as ColumnKindName;
  }
  return { kinds };
}

export function parseMethodOverrides(text: string): { methods: Record<string, { method: DriftMethodId; threshold: number | null }>; error?: string } {
  const methods: Record<string, { method: DriftMethodId; threshold: number | null }> = {};
  for (const a of assignments(text)) {
    if (a.name === '') return { methods, error: `Line ${a.line} ('${a.raw}'): write column=method or column=method:threshold.` };
    const [method = '', thresholdText, ...rest] = a.value.split(':').map((s) => s.trim());
    if (!driftMethodNames.includes(method as DriftMethodId)) return { methods, error: `Line ${a.line}: '${method}' is not a method; use one of ${driftMethodNames.join(', ')}.` };
    if (rest.length > 0) return { methods, error: `Line ${a.line}: write column=method:threshold, with one ':'.` };
    let threshold: number | null = null;
    if (thresholdText !== undefined) {
      const parsed = parseNumberField(thresholdText, { min: 0, max: 1e6, label: 'The threshold' });
      if (parsed.error || parsed.value === undefined) return { methods, error: `Line ${a.line}: ${parsed.error ?? 'give a threshold after the colon.'}` };
      threshold = parsed.value;
    }
    methods[a.name] = { method: method as DriftMethodId, threshold };
  }
  return { methods };
}

/** Checks every field; the input for monitoring.compareDatasets (and exportReport) when nothing is wrong. */
export function buildCompareInput(form: CompareForm): { errors: CompareErrors; input: CompareInput | null } {
  const errors: CompareErrors = {};
  const reference = form.reference.trim();
  const current = form.current.trim();
  if (reference === '') errors.reference = 'Give the path of the reference CSV or Parquet file.';
  if (current === '') errors.current = 'Give the path of the current CSV or Parquet file.';
  const kinds = parseKindOverrides(form.kinds);
  if (kinds.error) errors.kinds = kinds.error;
  const methods = parseMethodOverrides(form.methods);
  if (methods.error) errors.methods = methods.error;
  const share = parseNumberField(form.driftShare, { above: 0, max: 1, label: 'Drift share' });
  if (share.error) errors.driftShare = share.error;
  if (Object.keys(errors).length > 0) return { errors, input: null };
  const input: CompareInput = { reference, current, columnKinds: kinds.kinds, methods: methods.methods };
  if (share.value !== undefined) input.driftShare = share.value;
  if (form.target.trim() !== '') input.target = form.target.trim();
  return { errors, input };
}
