import { invalid, type OrreryError } from '../../../../shared/errors';

/** A data file the user chose cannot be read: the message names the file and the problem. */
export function fileProblem(file: string, problem: string): OrreryError {
  return invalid(`Cannot read ${file}: ${problem}`);
}
