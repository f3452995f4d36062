import { expect } from 'vitest';
import { OrreryError } from '../../shared/errors';

/** The OrreryError a synchronous call throws; fails the test when it throws nothing or something else. */
export function refusal(fn: () => unknown): OrreryError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OrreryError);
    return error as OrreryError;
  }
  throw new Error('expected a refusal');
}
