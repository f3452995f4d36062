import type { GateResult, GateSpec } from '../../../../shared/contract/registry';
import { formatBytes } from '../../lib/format';

/** A gate as the team writes it: "accuracy >= 0.9", "file MLmodel", "size <= 100 MiB". */
export function describeGate(gate: GateSpec): string {
  switch (gate.kind) {
    case 'metric':
      return `${gate.metric} ${gate.op} ${gate.value}`;
    case 'required_file':
      return `file ${gate.path}`;
    case 'max_size':
      return `size <= ${formatBytes(gate.bytes)}`;
  }
}

/** What the version has, as a reader wants it: sizes in binary units, a missing metric said so. */
export function describeActual(result: GateResult): string {
  if (result.actual === null) return 'not logged';
  if (result.gate.kind === 'max_size' && typeof result.actual === 'number') return formatBytes(result.actual);
  return String(result.actual);
}

/** The repository name a model gets on a registry: OCI repository components are lowercase. */
export function repositoryName(model: string): string {
  return model.toLowerCase();
}

export function formatWhen(at: number | null): string {
  return at === null ? '—' : new Date(at).toLocaleString();
}

export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, '').slice(0, 12);
}
