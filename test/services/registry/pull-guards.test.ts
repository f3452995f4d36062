import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { OrreryError } from '../../../shared/errors';
import { EventBus } from '../../../electron/services/events/event-bus';
import { KeyedLock } from '../../../electron/services/registry/keyed-lock';
import { ModelFolderClaims } from '../../../electron/services/registry/model-folder-claims';
import { ModelRegistration } from '../../../electron/services/registry/model-registration';
import { RegistryRecords } from '../../../electron/services/registry/registry-records';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { openDatabase } from '../../../electron/services/store/database';
import { ArtifactStore } from '../../../electron/services/tracking/artifact-store';
import { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The two guards that make concurrent pulls of one artifact into one model make one version
 * (registry-push-pull.test.ts runs the race itself against a real registry).
 */

const opened: Database[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

describe('KeyedLock', () => {
  it('runs tasks on one key one at a time in order, other keys alongside, and goes on after a failure', async () => {
    const lock = new KeyedLock();
    const log: string[] = [];
    const step = (name: string, fail = false) => async () => {
      log.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push(`${name} end`);
      if (fail) throw new Error(`${name} failed`);
      return name;
    };
    const results = await Promise.allSettled([lock.run('m', step('a', true)), lock.run('m', step('b')), lock.run('other', step('x')), lock.run('m', step('c'))]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a failed', 'b', 'x', 'c']);
    const onM = log.filter((l) => !l.startsWith('x'));
    expect(onM).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    // 'other' did not wait for 'm'.
    expect(log.indexOf('x start')).toBeLessThan(log.indexOf('a end'));
  });
});

describe('a registration check run inside the inserting transaction', () => {
  it('refuses with nothing written: no row, no audit entry, no folder', async () => {
    const dataDir = tempDir();
    const db = openDatabase({ dataDir }).db;
    opened.push(db);
    const repo = new RegistryRepository(db);
    const records = new RegistryRecords(repo, Date.now, new EventBus());
    const claims = new ModelFolderClaims(path.join(dataDir, 'models'));
    const tracking = new TrackingService({ db, bus: new EventBus() });
    const registration = new ModelRegistration({ repo, records, claims, runs: tracking, artifacts: new ArtifactStore(path.join(dataDir, 'artifacts')) });
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'model.onnx'), Buffer.alloc(512, 1));

    const refused = await registration
      .registerFromFolder({ folder, name: 'racer', actor: 'dave' }, { beforeInsert: () => { throw new OrreryError('CONFLICT', 'already version 1'); } })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'already version 1' });
    expect(repo.versionCount('racer')).toBe(0);
    expect(repo.model('racer')).toBeUndefined();
    expect(repo.audit('racer', 10)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'models', 'racer'))).toBe(false);

    // A check that passes lets it through.
    const made = await registration.registerFromFolder({ folder, name: 'racer', actor: 'dave' }, { beforeInsert: () => undefined });
    expect(made.version).toBe(1);
  });
});
