import { OrreryError } from '../../../../shared/errors';
import type { DefinitionProblem, PipelineDefinition } from '../pipeline-definition';
import type { StagePath } from './dep-edges';

/** A parsed file, with where each stage's deps are written, so checks on disk can name their line. */
export interface ParsedPipeline {
  definition: PipelineDefinition;
  depSites: Map<string, StagePath[]>;
}

/**
 * A pipeline file that cannot be run, with every problem found in it (not just the first), each as
 * `FILE:LINE: FIELD: message` so an editor or terminal can jump to it.
 */
export class PipelineFileError extends OrreryError {
  readonly file: string;
  readonly problems: DefinitionProblem[];

  constructor(file: string, problems: DefinitionProblem[]) {
    super('INVALID_INPUT', byLine(problems).map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'PipelineFileError';
    this.file = file;
    this.problems = byLine(problems);
  }
}

export function formatProblem(file: string, problem: DefinitionProblem): string {
  const where = problem.line === null ? file : `${file}:${problem.line}`;
  return problem.field === '' ? `${where}: ${problem.message}` : `${where}: ${problem.field}: ${problem.message}`;
}

/** In file order (problems not at one line last), so they read top to bottom. */
function byLine(problems: readonly DefinitionProblem[]): DefinitionProblem[] {
  return problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || a.i - b.i).map(({ p }) => p);
}
