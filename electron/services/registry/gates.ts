import type { GateResult, GateSpec, GateStatus, ModelFile } from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';

export interface GateSubject {
  files: readonly ModelFile[];
  totalSize: number;
  metrics: Record<string, MetricValue>;
}

function compare(actual: number, op: Extract<GateSpec, { kind: 'metric' }>['op'], expected: number): boolean {
  switch (op) {
    case '>=':
      return actual >= expected;
    case '>':
      return actual > expected;
    case '<=':
      return actual <= expected;
    case '<':
      return actual < expected;
    case '==':
      return actual === expected;
  }
}

/** A missing metric reads as NaN: both fail every gate, since nothing shows the threshold is met. */
function numeric(value: MetricValue | undefined): number {
  if (typeof value === 'number') return value;
  return value === 'Infinity' ? Infinity : value === '-Infinity' ? -Infinity : NaN;
}

/** One result per gate, with the value found and the one asked for. */
export function evaluateGates(gates: readonly GateSpec[], subject: GateSubject): GateResult[] {
  return gates.map((gate): GateResult => {
    switch (gate.kind) {
      case 'required_file': {
        const wanted = gate.path.replace(/^\/+|\/+$/g, '');
        const present = subject.files.some((f) => f.path === wanted || f.path.startsWith(`${wanted}/`));
        return { gate, passed: present, actual: present ? 'present' : 'missing', expected: 'present' };
      }
      case 'metric': {
        const raw = subject.metrics[gate.metric];
        const value = numeric(raw);
        const passed = !Number.isNaN(value) && compare(value, gate.op, gate.value);
        return { gate, passed, actual: raw ?? null, expected: `${gate.op} ${gate.value}` };
      }
      case 'max_size':
        return { gate, passed: subject.totalSize <= gate.bytes, actual: subject.totalSize, expected: `<= ${gate.bytes} bytes` };
    }
  });
}

export function gateStatus(results: readonly GateResult[]): GateStatus {
  if (results.length === 0) return 'none';
  return results.every((r) => r.passed) ? 'passed' : 'failed';
}

/** "accuracy >= 0.9 (actual 0.85); size <= 10 bytes (actual 20)" for error messages. */
export function describeFailures(results: readonly GateResult[]): string {
  return results
    .filter((r) => !r.passed)
    .map((r) => {
      const what = r.gate.kind === 'metric' ? r.gate.metric : r.gate.kind === 'max_size' ? 'size' : `file ${r.gate.path}`;
      return `${what} ${r.expected} (actual ${r.actual === null ? 'missing' : String(r.actual)})`;
    })
    .join('; ');
}
