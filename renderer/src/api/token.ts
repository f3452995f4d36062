/** The bits of window that token handling touches; passed in so it runs (and is tested) without a DOM. */
export interface TokenEnv {
  location: { hash: string; pathname: string; search: string };
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  history: { state: unknown; replaceState(data: unknown, unused: string, url?: string | null): void };
}

const storageKey = 'orrery.token';

/**
 * The headless server prints a URL ending in "#token=...". Take the token from there on first load,
 * keep it in sessionStorage so a reload still works, and strip it from the address bar so it
 * doesn't end up in screenshots, bookmarks or the history list. Returns null when there is none.
 */
export function takeAccessToken(env: TokenEnv): string | null {
  const params = new URLSearchParams(env.location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    params.delete('token');
    const rest = params.toString();
    const url = env.location.pathname + env.location.search + (rest ? `#${rest}` : '');
    env.history.replaceState(env.history.state, '', url);
    try {
      env.sessionStorage.setItem(storageKey, fromHash);
    } catch {
      // Storage disabled: the token still works until the page is reloaded.
    }
    return fromHash;
  }
  try {
    return env.sessionStorage.getItem(storageKey) || null;
  } catch {
    return null;
  }
}

/**
 * A token pasted into the address bar of an open tab (`…#token=NEW`): the browser does not reload
 * for a hash change, so the page takes it itself, as `takeAccessToken` does (stored, stripped).
 * Null when the hash carries no token (an ordinary navigation).
 */
export function takePastedToken(env: TokenEnv): string | null {
  if (!new URLSearchParams(env.location.hash.replace(/^#/, '')).get('token')) return null;
  return takeAccessToken(env);
}
