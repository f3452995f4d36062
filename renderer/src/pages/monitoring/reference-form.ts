import type { MethodInput } from '../../../../shared/contract/index';
import type { MonitorSettings, ReferenceSource } from '../../../../shared/contract/monitoring';
import { fieldOfServingError, parseNumberField } from '../deployments/deployment-form';

/** Where the reference comes from, as the form's radio buttons name it. */
export type SourceKind = ReferenceSource['kind'];

/** What the "Set a reference" form edits, as typed (numbers are parsed on submit). */
export interface ReferenceForm {
  sourceKind: SourceKind;
  /** A CSV or Parquet file on this machine (kind 'file'). */
  path: string;
  /** The run holding the artifact or dataset. */
  runId: string;
  /** The artifact's path inside the run (kind 'run-artifact'). */
  artifactPath: string;
  /** The dataset input's name; empty takes the run's only one (kind 'run-dataset'). */
  datasetName: string;
  /** The first N logged rows (kind 'requests'). */
  count: string;
  windowRequests: string;
  windowMinutes: string;
  driftShare: string;
}

export type ReferenceField = keyof ReferenceForm;
export type ReferenceErrors = Partial<Record<ReferenceField | 'form', string>>;
export type SetReferenceInput = MethodInput<'monitoring.setReference'>;

export function initialReferenceForm(): ReferenceForm {
  return { sourceKind: 'file', path: '', runId: '', artifactPath: '', datasetName: '', count: '1000', windowRequests: '1000', windowMinutes: '', driftShare: '' };
}

/** The window fields shared by "set a reference" and "edit windows": rows, minutes or both, and the drift share. */
export function parseWindowFields(form: Pick<ReferenceForm, 'windowRequests' | 'windowMinutes' | 'driftShare'>): {
  errors: ReferenceErrors;
  values: { windowRequests: number | null; windowMinutes: number | null; driftShare?: number };
} {
  const errors: ReferenceErrors = {};
  const rows = parseNumberField(form.windowRequests, { integer: true, min: 10, max: 10_000_000, label: 'Rows per window' });
  const minutes = parseNumberField(form.windowMinutes, { integer: true, min: 1, max: 10_080, label: 'Minutes per window' });
  const share = parseNumberField(form.driftShare, { above: 0, max: 1, label: 'Drift share' });
  if (rows.error) errors.windowRequests = rows.error;
  if (minutes.error) errors.windowMinutes = minutes.error;
  if (share.error) errors.driftShare = share.error;
  if (!rows.error && !minutes.error && rows.value === undefined && minutes.value === undefined) {
    errors.windowRequests = 'Close windows by rows, by minutes or both: give at least one.';
  }
  const values: { windowRequests: number | null; windowMinutes: number | null; driftShare?: number } = {
    windowRequests: rows.value ?? null,
    windowMinutes: minutes.value ?? null,
  };
  if (share.value !== undefined) values.driftShare = share.value;
  return { errors, values };
}

function sourceOf(form: ReferenceForm, errors: ReferenceErrors): ReferenceSource | null {
  switch (form.sourceKind) {
    case 'file': {
      const path = form.path.trim();
      if (path === '') errors.path = 'Give the path of a CSV or Parquet file on this machine.';
      return path === '' ? null : { kind: 'file', path };
    }
    case 'run-artifact': {
      const runId = form.runId.trim();
      const path = form.artifactPath.trim();
      if (runId === '') errors.runId = 'Give the id of the run that holds the artifact.';
      if (path === '') errors.artifactPath = "Give the artifact's path inside the run (data/train.csv).";
      return runId === '' || path === '' ? null : { kind: 'run-artifact', runId, path };
    }
    case 'run-dataset': {
      const runId = form.runId.trim();
      if (runId === '') errors.runId = 'Give the id of the run whose dataset input is the reference.';
      const name = form.datasetName.trim();
      return runId === '' ? null : { kind: 'run-dataset', runId, ...(name === '' ? {} : { name }) };
    }
    case 'requests': {
      const count = parseNumberField(form.count, { integer: true, min: 10, max: 1_000_000, label: 'Rows' });
      if (count.error) errors.count = count.error;
      else if (count.value === undefined) errors.count = 'Say how many logged rows make the reference (at least 10).';
      return count.value === undefined || count.error ? null : { kind: 'requests', count: count.value };
    }
  }
}

/** Checks every field; the input for monitoring.setReference when nothing is wrong. */
export function buildSetReference(form: ReferenceForm, deployment: string, actor: string): { errors: ReferenceErrors; input: SetReferenceInput | null } {
  const errors: ReferenceErrors = {};
  const source = sourceOf(form, errors);
  const windows = parseWindowFields(form);
  Object.assign(errors, windows.errors);
  if (!source || Object.keys(errors).length > 0) return { errors, input: null };
  return { errors, input: { deployment, source, ...windows.values, actor } };
}

/** The edit-windows form, filled from the monitor's settings. */
export function windowFormOf(settings: Pick<MonitorSettings, 'windowRequests' | 'windowMinutes' | 'driftShare'>): Pick<ReferenceForm, 'windowRequests' | 'windowMinutes' | 'driftShare'> {
  return {
    windowRequests: settings.windowRequests === null ? '' : String(settings.windowRequests),
    windowMinutes: settings.windowMinutes === null ? '' : String(settings.windowMinutes),
    driftShare: String(settings.driftShare),
  };
}

const REFERENCE_FIELDS: readonly ReferenceField[] = ['path', 'runId', 'artifactPath', 'datasetName', 'count', 'windowRequests', 'windowMinutes', 'driftShare'];

/** Words in a server message that point at one field, when its leading path does not. */
const REFERENCE_KEYWORDS: ReadonlyArray<[RegExp, ReferenceField]> = [
  [/\bwindowRequests\b|\brows per window\b/i, 'windowRequests'],
  [/\bwindowMinutes\b|\bminutes\b/i, 'windowMinutes'],
  [/\bdriftShare\b|\bdrift share\b/i, 'driftShare'],
  [/\bcount\b|\blogged requests\b/i, 'count'],
  [/\bartifact\b/i, 'artifactPath'],
  [/\bdataset\b/i, 'datasetName'],
  [/\brun\b/i, 'runId'],
  [/\bfile\b|\bCSV\b|\bParquet\b|\bpath\b|\bempty\b|\bcolumns?\b/i, 'path'],
];

/**
 * The field a refusal of setReference is about: "source.path: …" → the path of the chosen kind
 * ("source.path" of a run artifact is its artifact path), else a word it names; 'form' when none fits.
 */
export function fieldOfReferenceError(message: string, kind: SourceKind): ReferenceField | 'form' {
  const field = fieldOfServingError(message, REFERENCE_FIELDS, REFERENCE_KEYWORDS);
  if (field === 'path' && kind === 'run-artifact') return 'artifactPath';
  if (field === 'path' && kind === 'requests') return 'count';
  if ((field === 'path' || field === 'artifactPath' || field === 'datasetName') && kind === 'run-dataset') return field === 'datasetName' ? 'datasetName' : 'runId';
  return field;
}
