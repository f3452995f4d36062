import { expect } from 'vitest';
import type { DefinitionProblem } from '../../../../electron/services/pipelines/pipeline-definition';
import { PipelineFileError } from '../../../../electron/services/pipelines/definition/pipeline-file-error';

/** Every problem a parse reports, in the order reported; fails the test when the file parses. */
export function problemsOf(parse: () => unknown): DefinitionProblem[] {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineFileError);
    return (error as PipelineFileError).problems;
  }
  throw new Error('the file parsed');
}

/** One expected problem: its line, field and a message it contains (a string) or matches (a pattern). */
export function problem(line: number | null, field: string, message: string | RegExp): unknown {
  return { line, field, message: typeof message === 'string' ? expect.stringContaining(message) : expect.stringMatching(message) };
}
