import { describe, expect, it } from 'vitest';
import { takeAccessToken, takePastedToken, type TokenEnv } from '../../renderer/src/api/token';

function fakeEnv(hash: string, stored: string | null = null) {
  const storage = new Map<string, string>(stored ? [['orrery.token', stored]] : []);
  const replaced: (string | null | undefined)[] = [];
  const env: TokenEnv = {
    location: { hash, pathname: '/', search: '' },
    sessionStorage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v) },
    history: { state: null, replaceState: (_d, _u, url) => void replaced.push(url) },
  };
  return { env, storage, replaced };
}

describe('takeAccessToken', () => {
  it('takes the token from the hash, stores it and strips it from the address bar', () => {
    const { env, storage, replaced } = fakeEnv('#token=abc%2Bdef');
    expect(takeAccessToken(env)).toBe('abc+def');
    expect(storage.get('orrery.token')).toBe('abc+def');
    expect(replaced).toEqual(['/']);
  });

  it('keeps other hash parameters', () => {
    const { env, replaced } = fakeEnv('#token=t&page=overview');
    takeAccessToken(env);
    expect(replaced).toEqual(['/#page=overview']);
  });

  it('falls back to the stored token after a reload', () => {
    const { env, replaced } = fakeEnv('', 'stored');
    expect(takeAccessToken(env)).toBe('stored');
    expect(replaced).toEqual([]);
  });

  it('prefers a new token in the hash over a stored one', () => {
    const { env } = fakeEnv('#token=new', 'old');
    expect(takeAccessToken(env)).toBe('new');
  });

  it('returns null when there is none', () => {
    expect(takeAccessToken(fakeEnv('').env)).toBeNull();
    expect(takeAccessToken(fakeEnv('#token=').env)).toBeNull();
  });
});

describe('takePastedToken', () => {
  it('takes a token pasted into the hash of an open tab, replacing the stored one', () => {
    const { env, storage, replaced } = fakeEnv('#token=second', 'first');
    expect(takePastedToken(env)).toBe('second');
    expect(storage.get('orrery.token')).toBe('second');
    expect(replaced).toEqual(['/']);
  });

  it('ignores an ordinary navigation, leaving the stored token and the address alone', () => {
    const { env, storage, replaced } = fakeEnv('#/experiments/3', 'first');
    expect(takePastedToken(env)).toBeNull();
    expect(storage.get('orrery.token')).toBe('first');
    expect(replaced).toEqual([]);
  });
});
