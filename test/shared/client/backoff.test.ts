import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../shared/client/backoff';

describe('backoffDelay', () => {
  const options = { baseMs: 500, maxMs: 15_000 };

  it('doubles per attempt and caps at maxMs', () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(top)).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
  });

  it('jitters within the upper half', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(1000);
    expect(backoffDelay(2, options, () => 0.5)).toBe(1500);
  });
});
