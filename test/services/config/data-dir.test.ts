import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensurePrivateDataDir, ensurePrivateFile, resolveDataDir } from '../../../electron/services/config/data-dir';
import { tempDir } from '../../helpers/temp-dir';

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

const posix = process.platform !== 'win32';
const mode = (file: string) => fs.statSync(file).mode & 0o7777;

describe.runIf(posix)('data dir permissions', () => {
  let umask: number | undefined;
  afterEach(() => {
    if (umask !== undefined) process.umask(umask);
    umask = undefined;
  });

  it('creates a new data dir (and its missing parents) 0700 even under a loose umask', () => {
    umask = process.umask(0o022);
    const dir = path.join(tempDir(), 'share', 'orrery');
    expect(ensurePrivateDataDir(dir)).toEqual({ tightenedFrom: null });
    expect(mode(dir)).toBe(0o700);
    expect(mode(path.dirname(dir))).toBe(0o700);
  });

  it('tightens a pre-existing 0755 data dir it owns to 0700, and says so', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    expect(ensurePrivateDataDir(dir)).toEqual({ tightenedFrom: 0o755 });
    expect(mode(dir)).toBe(0o700);
    // Already private: nothing to do.
    expect(ensurePrivateDataDir(dir)).toEqual({ tightenedFrom: null });
  });

  it.runIf(process.getuid?.() === 0)('leaves a data dir owned by another user as it is', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    fs.chownSync(dir, 12345, 12345);
    expect(ensurePrivateDataDir(dir)).toEqual({ tightenedFrom: null });
    expect(mode(dir)).toBe(0o755);
  });

  it('refuses a data dir that is a file', () => {
    const file = path.join(tempDir(), 'not-a-folder');
    fs.writeFileSync(file, '');
    expect(() => ensurePrivateDataDir(file)).toThrow(/EEXIST|is not a folder/);
  });

  it('tightens a 0644 file to 0600 and leaves a missing one alone', () => {
    const file = path.join(tempDir(), 'orrery.db');
    fs.writeFileSync(file, 'x', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    ensurePrivateFile(file);
    expect(mode(file)).toBe(0o600);
    expect(() => ensurePrivateFile(`${file}-wal`)).not.toThrow();
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });
});
