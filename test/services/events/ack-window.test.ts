import { describe, expect, it } from 'vitest';
import { AckWindow } from '../../../electron/services/events/ack-window';

describe('ack window', () => {
  it('refuses a send that would leave more than the cap unacknowledged, and opens again as acks arrive', () => {
    const window = new AckWindow(1000);
    expect(window.trySend(600)).toBe(true);
    expect(window.trySend(400)).toBe(true);
    expect(window.trySend(1)).toBe(false);
    window.ack(600);
    expect(window.outstanding).toBe(400);
    expect(window.trySend(600)).toBe(true);
    expect(window.trySend(1)).toBe(false);
  });

  it('always lets one message through when nothing is outstanding, however large', () => {
    const window = new AckWindow(1000);
    expect(window.trySend(5000)).toBe(true);
    expect(window.trySend(1)).toBe(false);
    window.ack(5000);
    expect(window.trySend(1)).toBe(true);
  });

  it('ignores stale, repeated, fractional, non-numeric and impossible totals', () => {
    const window = new AckWindow(1000);
    window.trySend(800);
    window.ack(500);
    for (const total of [400, 500, 500.5, '800', null, 900, Number.NaN, Infinity]) window.ack(total);
    expect(window.outstanding).toBe(300);
  });
});
