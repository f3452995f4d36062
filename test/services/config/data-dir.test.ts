import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../../electron/services/config/data-dir';

describe('data dir', () => {
  const base = { env: {}, platform: 'linux' as const, homedir: '/home/ada' };

  it('prefers --data-dir, then ORRERY_HOME, then the per-user data folder', () => {
    expect(resolveDataDir({ ...base, flag: '/srv/orrery', env: { ORRERY_HOME: '/x' } })).toBe('/srv/orrery');
    expect(resolveDataDir({ ...base, env: { ORRERY_HOME: '/x/orrery' } })).toBe('/x/orrery');
    expect(resolveDataDir(base)).toBe('/home/ada/.local/share/orrery');
  });

  it('follows each OS convention', () => {
    expect(resolveDataDir({ ...base, env: { XDG_DATA_HOME: '/data' } })).toBe('/data/orrery');
    expect(resolveDataDir({ ...base, platform: 'darwin', homedir: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/Orrery');
    expect(resolveDataDir({ ...base, platform: 'win32', env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' } })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Orrery',
    );
  });
});
