import { describe, expect, it } from 'vitest';
import { missedSince, nextAfter, validateCron } from '../../../../electron/services/pipelines/triggers/cron-schedule';

// Local time, as cron reads it.
const at = (y: number, mo: number, d: number, h: number, mi: number) => new Date(y, mo - 1, d, h, mi);

describe('cron schedule', () => {
  it('gives the next fire time strictly after a date', () => {
    expect(nextAfter('0 3 * * *', at(2026, 5, 1, 2, 59))).toEqual(at(2026, 5, 1, 3, 0));
    expect(nextAfter('0 3 * * *', at(2026, 5, 1, 3, 0))).toEqual(at(2026, 5, 2, 3, 0));
    expect(nextAfter('*/15 * * * *', at(2026, 5, 1, 10, 7))).toEqual(at(2026, 5, 1, 10, 15));
    // Monday to Friday at 9: Saturday morning waits for Monday.
    expect(nextAfter('0 9 * * 1-5', at(2026, 5, 2, 8, 0))).toEqual(at(2026, 5, 4, 9, 0));
    expect(nextAfter('@daily', at(2026, 5, 1, 12, 0))).toEqual(at(2026, 5, 2, 0, 0));
  });

  it('says whether a fire time fell in (last check, now]', () => {
    const expr = '0 3 * * *';
    // Closed at 23:00, opened at 08:00 the next day: 03:00 was missed.
    expect(missedSince(expr, at(2026, 5, 1, 23, 0), at(2026, 5, 2, 8, 0))).toBe(true);
    // Closed 04:00 to 23:00: no 03:00 in between.
    expect(missedSince(expr, at(2026, 5, 1, 4, 0), at(2026, 5, 1, 23, 0))).toBe(false);
    // The last check was the fire time itself: it was not missed.
    expect(missedSince(expr, at(2026, 5, 1, 3, 0), at(2026, 5, 1, 23, 0))).toBe(false);
    // Now is exactly the fire time: it counts.
    expect(missedSince(expr, at(2026, 5, 1, 2, 0), at(2026, 5, 1, 3, 0))).toBe(true);
  });

  it('refuses bad expressions with a message naming the expression and the problem', () => {
    expect(() => validateCron('0 3 * *')).toThrow(/cron "0 3 \* \*": has 4 fields; write five/);
    expect(() => validateCron('0 0 3 * * *')).toThrow(/has 6 fields/);
    expect(() => validateCron('61 * * * *')).toThrow(/cron "61 \* \* \* \*":.*minute/);
    expect(() => validateCron('0 0 30 2 *')).toThrow(/never fires/);
    expect(() => validateCron('@sometimes')).toThrow(/unknown shorthand/);
    expect(() => validateCron('  ')).toThrow(/empty/);
    expect(() => validateCron('0 3 * * 1-5')).not.toThrow();
  });
});
