import { describe, expect, it } from 'vitest';
import { decodePageToken, encodePageToken } from '../../../electron/services/tracking/page-token';
import { compileRunQuery, likeToGlob } from '../../../electron/services/tracking/run-query';
import type { FilterClause } from '../../../electron/services/tracking/search-filter';

const where = (clause: FilterClause) => {
  const q = compileRunQuery([1], 'active', [clause], []);
  return { sql: q.where, params: q.whereParams };
};
const refusal = (clause: FilterClause): string => {
  try {
    where(clause);
  } catch (err) {
    return (err as Error).message;
  }
  return 'compiled';
};

// The parser refuses these first; compileRunQuery checks again so that no caller can ever reach
// SQL with a comparator or a value type it did not check (the comparator is written into the SQL).
describe('compileRunQuery on clauses that did not come from the parser', () => {
  it.each<[string, FilterClause, string]>([
    ['an injected metric comparator', { entity: 'metric', key: 'acc', comparator: '> 0 OR 1=1 --' as FilterClause['comparator'], value: 0 }, "Invalid comparator '> 0 OR 1=1 --' for metric 'acc'."],
    ['a metric compared with text', { entity: 'metric', key: 'acc', comparator: '=', value: 'high' }, "Invalid comparator '=' for metric 'acc'."],
    ['start_time compared with text', { entity: 'attribute', key: 'start_time', comparator: '=', value: 'yesterday' }, "Invalid comparator '=' for attribute 'start_time'."],
    ['end_time compared with text', { entity: 'attribute', key: 'end_time', comparator: '!=', value: 'never' }, "Invalid comparator '!=' for attribute 'end_time'."],
    ['a param ordered like a number', { entity: 'param', key: 'lr', comparator: '>', value: 5 }, "Invalid comparator '>' for param 'lr'."],
    ['a tag ordered like text', { entity: 'tag', key: 'team', comparator: '<', value: 'b' }, "Invalid comparator '<' for tag 'team'."],
    ['an unknown attribute', { entity: 'attribute', key: 'owner', comparator: '=', value: 'me' }, "Invalid attribute key 'owner' specified."],
  ])('refuses %s', (_what, clause, message) => {
    expect(refusal(clause)).toBe(message);
  });

  it('binds every value, including a single IN value given as text', () => {
    expect(where({ entity: 'attribute', key: 'end_time', comparator: '<=', value: 99 }).params).toEqual([1, 'active', 99]);
    expect(where({ entity: 'attribute', key: 'run_id', comparator: 'IN', value: 'abc' as unknown as string[] }).params).toEqual([1, 'active', 'abc']);
    expect(where({ entity: 'attribute', key: 'run_id', comparator: 'NOT IN', value: ['a', 'b'] })).toEqual({
      sql: 'r.experiment_id IN (?) AND r.lifecycle_stage = ? AND r.run_id NOT IN (?,?)',
      params: [1, 'active', 'a', 'b'],
    });
  });
});

describe("LIKE patterns become GLOB patterns with GLOB's own characters taken literally", () => {
  it.each([
    ['a%b_c', 'a*b?c'],
    ['100*?', '100[*][?]'],
    ['[x]', '[[]x]'],
    ['plain', 'plain'],
  ])('%s → %s', (like, glob) => {
    expect(likeToGlob(like)).toBe(glob);
  });
});

describe('page tokens', () => {
  it('round-trips an offset, and no token is the first page', () => {
    expect(decodePageToken(encodePageToken(40))).toBe(40);
    expect(decodePageToken(encodePageToken(0))).toBe(0);
    expect(decodePageToken(undefined)).toBe(0);
  });

  it('refuses a forged, negative or fractional offset, quoting the token (cut at 80 characters)', () => {
    const message = (token: string) => {
      try {
        decodePageToken(token, 'page_token');
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(message(encodePageToken(-1))).toBe(`Invalid page_token '${encodePageToken(-1)}'.`);
    expect(message(encodePageToken(1.5))).toBe(`Invalid page_token '${encodePageToken(1.5)}'.`);
    expect(message('not-a-token')).toBe("Invalid page_token 'not-a-token'.");
    // The contract's name unless the caller speaks MLflow's.
    expect(() => decodePageToken('not-a-token')).toThrow("Invalid pageToken 'not-a-token'.");
    const eighty = 'x'.repeat(80);
    expect(message(eighty)).toBe(`Invalid page_token '${eighty}'.`);
    expect(message(`${eighty}yz`)).toBe(`Invalid page_token '${eighty}…'.`);
  });
});
