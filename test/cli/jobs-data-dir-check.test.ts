import path from 'node:path';
import { expect, it } from 'vitest';
import { dataDirSource, requireExistingDataDir } from '../../electron/cli/data-dir-check';
import { tempDir } from '../helpers/temp-dir';

it('a missing data dir is refused with where its path came from; an existing one passes', () => {
  const dir = tempDir();
  expect(() => requireExistingDataDir(dir, 'default')).not.toThrow();
  const missing = path.join(dir, 'nope');
  expect(() => requireExistingDataDir(missing, 'env')).toThrow(`No Orrery data dir at ${missing} (from ORRERY_HOME). Point at the folder your Orrery uses with --data-dir DIR or ORRERY_HOME=DIR`);
  expect(() => requireExistingDataDir(missing, 'default')).toThrow(`No Orrery data dir at ${missing} (the default: neither --data-dir nor ORRERY_HOME is set).`);
  expect(dataDirSource('/d', { ORRERY_HOME: '/h' })).toBe('flag');
  expect(dataDirSource(undefined, { ORRERY_HOME: '/h' })).toBe('env');
  expect(dataDirSource(undefined, {})).toBe('default');
});
