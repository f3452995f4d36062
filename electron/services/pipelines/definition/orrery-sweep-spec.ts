import type { Node } from 'yaml';
import { sweepSchema, type SweepSpec } from '../../../../shared/contract/training-spec';
import { SpecFromYaml } from './yaml-to-spec';
import type { YamlReader } from './yaml-reader';

/**
 * A train stage's `sweep:` map → the sweep `training.submitSweep` takes (strategy, space,
 * max_trials, max_parallel, objective), checked by the same schema, problems at their lines.
 */
export function readSweepSpec(reader: YamlReader, node: Node | null, field: string, line: number | null): SweepSpec | undefined {
  // The space's keys are the job's hyperparameter names: kept as written.
  const spec = new SpecFromYaml(reader, { verbatim: new Set(['space']) });
  const raw = spec.read(node, field, line);
  if (!raw) return undefined;
  const parsed = sweepSchema.safeParse(raw);
  if (!parsed.success) {
    spec.report(parsed.error.issues);
    return undefined;
  }
  return parsed.data;
}
