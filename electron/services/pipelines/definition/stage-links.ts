import type { StageDefinition } from '../pipeline-definition';
import { needsFromOuts, type StagePath } from './dep-edges';
import { findCycle } from './pipeline-graph';
import type { YamlReader } from './yaml-reader';

/** What the linker reads of a parsed stage: the stage, and its names and paths with their lines. */
export interface LinkableStage {
  stage: StageDefinition;
  field: string;
  needs: ReadonlyArray<{ name: string; line: number | null; field: string }>;
  deps: readonly StagePath[];
  outs: readonly StagePath[];
}

/**
 * Fills every stage's `needs` (those written, then those whose outs its deps read, in file order)
 * and reports needs naming no stage, one path written by two stages, and a cycle, naming its stages.
 * Returns false when the graph is unusable (a cycle).
 */
export function linkStages(reader: YamlReader, stages: readonly LinkableStage[], allNames: readonly string[] = stages.map((s) => s.stage.name)): boolean {
  const names = stages.map((s) => s.stage.name);
  const order = new Map(names.map((n, i) => [n, i]));
  const edges = needsFromOuts(stages.map((s) => ({ name: s.stage.name, deps: s.deps, outs: s.outs })));
  const byName = new Map(stages.map((s) => [s.stage.name, s]));
  for (const problem of edges.problems) {
    reader.problem(problem.line, problem.field ?? `${byName.get(problem.stage)!.field}.${problem.list}[${problem.index}]`, problem.message);
  }
  for (const s of stages) {
    const needs = new Set<string>();
    checkNeedNames(reader, s.needs, allNames);
    for (const need of s.needs) if (order.has(need.name)) needs.add(need.name);
    for (const name of edges.needs.get(s.stage.name) ?? []) needs.add(name);
    s.stage.needs = [...needs].sort((a, b) => order.get(a)! - order.get(b)!);
  }
  const cycle = findCycle(stages.map((s) => s.stage));
  if (cycle) {
    reader.problem(null, 'stages', `the stages' needs form a cycle: ${cycle.join(' → ')} (each needs the next, through \`needs\` or a dep on another stage's outs)`);
    return false;
  }
  return true;
}

/** Reports each of `needs` that names no stage of the file (also for a stage that failed to read). */
export function checkNeedNames(reader: YamlReader, needs: LinkableStage['needs'], allNames: readonly string[]): void {
  for (const need of needs) {
    if (!allNames.includes(need.name)) reader.problem(need.line, need.field, `names no stage: '${need.name}' (stages: ${allNames.join(', ')})`);
  }
}
