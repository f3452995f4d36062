import { describe, expect, it, vi } from 'vitest';
import { guardNavigation, type GuardedContents } from '../../electron/main/navigation-guard';
import { isAppUrl } from '../../electron/main/app-origin';

function fakeContents() {
  const listeners = new Map<string, (event: { preventDefault(): void }, url?: string) => void>();
  let openHandler: (details: { url: string }) => { action: string } = () => ({ action: 'allow' });
  const contents = {
    on: (event: string, listener: never) => listeners.set(event, listener),
    setWindowOpenHandler: (handler: never) => (openHandler = handler),
  } as unknown as GuardedContents;
  const navigate = (event: string, url: string) => {
    const preventDefault = vi.fn();
    listeners.get(event)?.({ preventDefault }, url);
    return preventDefault.mock.calls.length > 0;
  };
  return { contents, navigate, open: (url: string) => openHandler({ url }) };
}

describe('navigation guard', () => {
  it('blocks navigation and redirects away from the app origin', () => {
    const fake = fakeContents();
    guardNavigation(fake.contents, () => {});
    expect(fake.navigate('will-navigate', 'https://evil.example/')).toBe(true);
    expect(fake.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fake.navigate('will-redirect', 'http://127.0.0.1:4780/')).toBe(true);
    expect(fake.navigate('will-navigate', 'orrery://app/index.html#/overview')).toBe(false);
  });

  it('denies every window.open; only http(s) links go to the system browser', () => {
    const fake = fakeContents();
    const openExternal = vi.fn();
    guardNavigation(fake.contents, openExternal);
    expect(fake.open('https://docs.nvidia.com/')).toEqual({ action: 'deny' });
    expect(fake.open('file:///etc/passwd')).toEqual({ action: 'deny' });
    expect(fake.open('javascript:alert(1)')).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://docs.nvidia.com/']]);
  });

  it('recognises only the app origin as the app', () => {
    expect(isAppUrl('orrery://app/index.html')).toBe(true);
    expect(isAppUrl('orrery://other/index.html')).toBe(false);
    expect(isAppUrl('http://app/')).toBe(false);
    expect(isAppUrl(undefined)).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});
