import path from 'node:path';

/** A path a stage reads or writes, with the line it is written on. */
export interface StagePath {
  path: string;
  line: number | null;
  /** The dotted field it is written at, when not `<stage>.<deps|outs>[i]` (a dvc.yaml metric or plot). */
  field?: string;
}

export interface EdgeStage {
  name: string;
  deps: readonly StagePath[];
  outs: readonly StagePath[];
}

export interface EdgeProblem {
  stage: string;
  list: 'deps' | 'outs';
  index: number;
  line: number | null;
  field?: string;
  message: string;
}

/**
 * The stages each stage needs because its deps read what they write: as DVC builds its graph, a dep
 * needs the stage of an out that is the same path, a folder holding it, or inside it (a dep on
 * `data/` waits for the stage writing `data/features`). Two stages writing the same path, or one
 * inside the other's, are refused, as DVC does: which of them a reader waits for would be a guess.
 */
export function needsFromOuts(stages: readonly EdgeStage[]): { needs: Map<string, string[]>; problems: EdgeProblem[] } {
  const problems: EdgeProblem[] = [];
  const outs = stages.flatMap((stage) => stage.outs.map((out, index) => ({ stage: stage.name, index, ...out })));
  for (let i = 0; i < outs.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [outs[i]!, outs[j]!];
      if (a.stage === b.stage && a.path === b.path) {
        problems.push({ stage: a.stage, list: 'outs', index: a.index, line: a.line, field: a.field, message: `'${a.path}' is listed twice` });
      } else if (a.stage !== b.stage && (within(a.path, b.path) || within(b.path, a.path))) {
        const how = a.path === b.path ? 'is also an output of' : within(a.path, b.path) ? 'lies inside an output of' : 'holds an output of';
        problems.push({ stage: a.stage, list: 'outs', index: a.index, line: a.line, field: a.field, message: `'${a.path}' ${how} stage '${b.stage}' ('${b.path}'); each path must have one stage that writes it` });
      }
    }
  }
  const needs = new Map<string, string[]>();
  for (const stage of stages) {
    const found = new Set<string>();
    stage.deps.forEach((dep, index) => {
      for (const out of outs) {
        if (!within(dep.path, out.path) && !within(out.path, dep.path)) continue;
        if (out.stage !== stage.name) found.add(out.stage);
        else if (dep.path === out.path) problems.push({ stage: stage.name, list: 'deps', index, line: dep.line, field: dep.field, message: `'${dep.path}' is both a dep and an out of this stage` });
      }
    });
    needs.set(stage.name, [...found]);
  }
  return { needs, problems };
}

/** Whether `child` is `parent` or lies inside it (both absolute and normalized). */
export function within(child: string, parent: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(prefix);
}
