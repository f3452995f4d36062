/**
 * The stage DAG, read through `needs`: the parsers check it, the runner orders stages and picks what
 * `--force-stage` and `--from` re-run. Stages naming an unknown stage in `needs` are the parsers'
 * problem; here such a name is skipped.
 */
export interface GraphStage {
  name: string;
  needs: readonly string[];
}

/**
 * A cycle as stage names, each needing the next, the first repeated at the end (`['a', 'b', 'a']`:
 * a needs b, b needs a); null when there is none.
 */
export function findCycle(stages: readonly GraphStage[]): string[] | null {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | null => {
    const mark = state.get(name);
    if (mark === 'done') return null;
    if (mark === 'open') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'open');
    path.push(name);
    for (const need of byName.get(name)?.needs ?? []) {
      if (!byName.has(need)) continue;
      const cycle = visit(need);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };
  for (const stage of stages) {
    const cycle = visit(stage.name);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Stage names so that every stage comes after what it needs; among stages free at the same time,
 * file order. Throws on a cycle (the parsers refuse those first).
 */
export function topologicalOrder(stages: readonly GraphStage[]): string[] {
  const cycle = findCycle(stages);
  if (cycle) throw new Error(`the stages' needs form a cycle: ${cycle.join(' → ')}`);
  const known = new Set(stages.map((s) => s.name));
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < stages.length) {
    for (const stage of stages) {
      if (done.has(stage.name)) continue;
      if (stage.needs.every((n) => done.has(n) || !known.has(n))) {
        done.add(stage.name);
        order.push(stage.name);
        break;
      }
    }
  }
  return order;
}

/** The stage and every stage that needs it, directly or not (what `--force-stage NAME` re-runs). */
export function downstreamOf(stages: readonly GraphStage[], name: string): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const stage of stages) for (const need of stage.needs) dependents.set(need, [...(dependents.get(need) ?? []), stage.name]);
  return closure(name, (n) => dependents.get(n) ?? []);
}

/** The stage and every stage it needs, directly or not. */
export function upstreamOf(stages: readonly GraphStage[], name: string): Set<string> {
  const byName = new Map(stages.map((s) => [s.name, s]));
  return closure(name, (n) => byName.get(n)?.needs ?? []);
}

function closure(start: string, next: (name: string) => readonly string[]): Set<string> {
  const seen = new Set<string>([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const n of next(todo.pop()!)) {
      if (!seen.has(n)) {
        seen.add(n);
        todo.push(n);
      }
    }
  }
  return seen;
}
