import { describe, expect, it } from 'vitest';
import { formatBytes, formatMib, formatPercent, percentOf } from '../../renderer/src/lib/format';

describe('formatBytes', () => {
  it('uses binary units with about three significant digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.00 KiB');
    expect(formatBytes(1536 * 1024 ** 2)).toBe('1.50 GiB');
    expect(formatBytes(512 * 1024 ** 2)).toBe('512 MiB');
    expect(formatBytes(15.62 * 1024 ** 3)).toBe('15.6 GiB');
    expect(formatBytes(2 * 1024 ** 4)).toBe('2.00 TiB');
  });

  it('does not print 1024 of a unit when rounding reaches the next', () => {
    expect(formatBytes(1024 ** 3 - 1)).toBe('1.00 GiB');
  });

  it('shows a dash for unknown or impossible values', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatMib', () => {
  it('reads nvidia-smi MiB', () => {
    expect(formatMib(81559)).toBe('79.6 GiB');
    expect(formatMib(4)).toBe('4.00 MiB');
    expect(formatMib(null)).toBe('—');
  });
});

describe('percent helpers', () => {
  it('formats and computes percentages', () => {
    expect(formatPercent(42.6)).toBe('43%');
    expect(formatPercent(null)).toBe('n/a');
    expect(percentOf(1, 4)).toBe(25);
    expect(percentOf(5, 4)).toBe(100);
    expect(percentOf(1, 0)).toBeNull();
    expect(percentOf(null, 4)).toBeNull();
  });
});
