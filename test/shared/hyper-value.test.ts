import { describe, expect, it } from 'vitest';
import { parseParam } from '../../electron/cli/jobs-values';
import { parseHyperValue } from '../../shared/hyper-value';

describe('parseHyperValue', () => {
  it('reads numbers and booleans, leaves other text', () => {
    expect(parseHyperValue('0.1')).toBe(0.1);
    expect(parseHyperValue('1e-4')).toBe(0.0001);
    expect(parseHyperValue('-3')).toBe(-3);
    expect(parseHyperValue('true')).toBe(true);
    expect(parseHyperValue('adam')).toBe('adam');
    expect(parseHyperValue('0x10')).toBe('0x10');
    expect(parseHyperValue('')).toBe('');
  });

  it('reads `orrery jobs --param` values as the launch dialog reads a typed value, spaces trimmed', () => {
    for (const text of [' 0.5 ', 'false', ' adam ', '1e3', '']) {
      expect(parseParam('--param', `k=${text}`)).toEqual(['k', parseHyperValue(text)]);
    }
    expect(parseParam('--param', 'opt= adam ')).toEqual(['opt', 'adam']);
  });
});
