import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { connectToRunning, serverInfoProblem } from '../../electron/cli/connection';
import { dataDirSource, requireExistingDataDir, startOrreryAdvice } from '../../electron/cli/data-dir-check';
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

it('says how to start an Orrery on the data dir: plain npm run serve only serves the default one', () => {
  expect(startOrreryAdvice('/home/ada/.local/share/orrery', 'default')).toBe('open the desktop app or run npm run serve');
  for (const source of ['flag', 'env'] as const) {
    expect(startOrreryAdvice('/srv/orrery-ci', source)).toBe('start one on this data dir with npm run serve -- --data-dir /srv/orrery-ci (or ORRERY_HOME=/srv/orrery-ci npm run serve)');
  }
  // Quoted so the line can be pasted into a shell as it is.
  expect(startOrreryAdvice("/tmp/ada's runs", 'flag')).toBe(
    "start one on this data dir with npm run serve -- --data-dir '/tmp/ada'\\''s runs' (or ORRERY_HOME='/tmp/ada'\\''s runs' npm run serve)",
  );
});

it('a command that needs a running Orrery gives the advice for where its data dir came from', async () => {
  const dir = tempDir();
  const none = `No Orrery is running on the data dir ${dir} (there is no server.json in it). Jobs are queued and run by a running Orrery:`;
  await expect(connectToRunning(dir, { needs: 'Jobs are queued and run by a running Orrery', source: 'env' })).rejects.toThrow(
    `${none} start one on this data dir with npm run serve -- --data-dir ${dir} (or ORRERY_HOME=${dir} npm run serve), then try again.`,
  );
  await expect(connectToRunning(dir, { needs: 'Jobs are queued and run by a running Orrery' })).rejects.toThrow(`${none} open the desktop app or run npm run serve, then try again.`);
});

it('a data dir that is a file is refused as such, not as a folder without server.json', () => {
  const file = path.join(tempDir(), 'orrery-home');
  fs.writeFileSync(file, 'not a folder');
  expect(() => requireExistingDataDir(file, 'flag')).toThrow(`The Orrery data dir ${file} (given by --data-dir) is a file, not a folder.`);
});

it('a server.json that cannot be parsed or lacks the server is said so, not "there is no server.json"', async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'server.json'), '{"url": "http://127.0.0.1:1", ');
  await expect(connectToRunning(dir)).rejects.toThrow(/^No Orrery is running on the data dir .* \(its server\.json cannot be parsed \(.+\); a running Orrery rewrites it when it starts\)\./);
  fs.writeFileSync(path.join(dir, 'server.json'), '{"pid": 1}');
  await expect(connectToRunning(dir)).rejects.toThrow('(its server.json has no server url and token; a running Orrery rewrites it when it starts).');
  expect(serverInfoProblem(tempDir())).toBeNull();
});
