import type { GateSpec } from '../../../../shared/contract/registry';

const MIB = 1024 * 1024;

/** A gate being edited: every field as the text the user typed. */
export interface GateDraft {
  kind: GateSpec['kind'];
  metric: string;
  op: '>=' | '>' | '<=' | '<' | '==';
  value: string;
  path: string;
  sizeMib: string;
}

export function emptyDraft(kind: GateSpec['kind'] = 'metric'): GateDraft {
  return { kind, metric: '', op: '>=', value: '', path: '', sizeMib: '' };
}

export function toDraft(gate: GateSpec): GateDraft {
  const draft = emptyDraft(gate.kind);
  if (gate.kind === 'metric') return { ...draft, metric: gate.metric, op: gate.op, value: String(gate.value) };
  if (gate.kind === 'required_file') return { ...draft, path: gate.path };
  return { ...draft, sizeMib: String(gate.bytes / MIB) };
}

/** The gate, or what is wrong with the draft in words that name the field. */
export function fromDraft(draft: GateDraft): GateSpec | { error: string } {
  switch (draft.kind) {
    case 'metric': {
      if (draft.metric.trim() === '') return { error: 'Metric: name the metric, like accuracy.' };
      const value = Number(draft.value);
      if (draft.value.trim() === '' || !Number.isFinite(value)) return { error: `Threshold: '${draft.value}' is not a number.` };
      return { kind: 'metric', metric: draft.metric.trim(), op: draft.op, value };
    }
    case 'required_file':
      if (draft.path.trim() === '') return { error: 'File: give the path of a file the version must contain, like MLmodel.' };
      return { kind: 'required_file', path: draft.path.trim().replace(/^\/+/, '') };
    case 'max_size': {
      const mib = Number(draft.sizeMib);
      if (draft.sizeMib.trim() === '' || !Number.isFinite(mib) || mib < 0) return { error: `Maximum size: '${draft.sizeMib}' is not a size in MiB.` };
      return { kind: 'max_size', bytes: Math.round(mib * MIB) };
    }
  }
}
