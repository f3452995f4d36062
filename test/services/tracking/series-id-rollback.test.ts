import type BetterSqlite3 from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../electron/services/store/database';
import { MetricStore } from '../../../electron/services/tracking/metric-store';
import { tempDir } from '../../helpers/temp-dir';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
let db: BetterSqlite3.Database;
let store: MetricStore;

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  for (const run of [RUN_A, RUN_B]) {
    db.prepare("INSERT INTO runs (run_id, experiment_id, name, status, artifact_uri, last_update_time) VALUES (?, 0, 'r', 'RUNNING', '', 0)").run(run);
  }
  store = new MetricStore(db);
});

/** A write that creates a series and then fails, as a refused value or a full disk would. */
function failedWrite(): void {
  expect(() =>
    db.transaction(() => {
      store.append(RUN_A, [{ key: 'loss', step: 1, timestamp: 1, value: 0.5 }]);
      throw new Error('the commit failed');
    })(),
  ).toThrow('the commit failed');
  store.rolledBack();
}

function committedWrite(run: string, key: string, value: number): void {
  db.transaction(() => store.append(run, [{ key, step: 1, timestamp: 2, value }]))();
  store.committed();
}

describe('series ids after a rolled-back write', () => {
  it('never hand a rolled-back id to a new series: each point stays in its own run and key', () => {
    failedWrite();
    // SQLite reuses the rolled-back rowid for the next new series, which belongs to run B.
    committedWrite(RUN_B, 'acc', 0.9);
    committedWrite(RUN_A, 'loss', 0.4);
    expect(store.points(RUN_B, 'acc', 10, 0).map((p) => p.value)).toEqual([0.9]);
    expect(store.points(RUN_A, 'loss', 10, 0).map((p) => p.value)).toEqual([0.4]);
    expect(store.keys(RUN_B)).toEqual(['acc']);
  });

  it('the same holds for a fresh store opened on the file afterwards', () => {
    failedWrite();
    committedWrite(RUN_B, 'acc', 0.9);
    committedWrite(RUN_A, 'loss', 0.4);
    const reopened = new MetricStore(db);
    expect(reopened.points(RUN_B, 'acc', 10, 0).map((p) => p.value)).toEqual([0.9]);
    expect(reopened.points(RUN_A, 'loss', 10, 0).map((p) => p.value)).toEqual([0.4]);
  });

  it('keeps ids of committed writes cached across later failures', () => {
    committedWrite(RUN_A, 'loss', 0.4);
    failedWrite();
    committedWrite(RUN_B, 'acc', 0.9);
    expect(store.points(RUN_A, 'loss', 10, 0).map((p) => p.value)).toEqual([0.4]);
    expect(store.points(RUN_B, 'acc', 10, 0).map((p) => p.value)).toEqual([0.9]);
  });
});
