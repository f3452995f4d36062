import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MetricsRepository } from '../../../electron/services/serving/metrics-repository';
import { RequestLogRepository, type RequestLogRow } from '../../../electron/services/serving/request-log-repository';
import { openDatabase } from '../../../electron/services/store/database';
import { tempDir } from '../../helpers/temp-dir';

let db: Database;
beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
});
afterEach(() => db.close());

const row = (deployment: string, at: number, more: Partial<RequestLogRow> = {}): RequestLogRow => ({
  deployment,
  at,
  version: 1,
  replicaId: 'r1',
  status: 200,
  latencyMs: 2.5,
  requestId: `req-${at}`,
  modelError: false,
  rowCount: 1,
  truncated: false,
  inputs: JSON.stringify([{ a: at }]),
  predictions: JSON.stringify([at % 2]),
  ...more,
});

describe('serving metrics repository', () => {
  it('stores 10 s rows, reads a deployment since a time, replaces a window written twice, deletes and prunes', () => {
    const metrics = new MetricsRepository(db);
    const point = (deployment: string, version: number, at: number, requests: number) => ({ deployment, version, at, requests, errors: 1, p50Ms: 1.5, p95Ms: 3, p99Ms: null });
    metrics.insert([point('iris', 1, 10_000, 5), point('iris', 2, 10_000, 1), point('iris', 1, 20_000, 7), point('digits', 1, 20_000, 9)]);
    metrics.insert([point('iris', 1, 20_000, 8)]);
    expect(metrics.since('iris', 0)).toEqual([
      { at: 10_000, version: 1, requests: 5, errors: 1, p50Ms: 1.5, p95Ms: 3, p99Ms: null },
      { at: 10_000, version: 2, requests: 1, errors: 1, p50Ms: 1.5, p95Ms: 3, p99Ms: null },
      { at: 20_000, version: 1, requests: 8, errors: 1, p50Ms: 1.5, p95Ms: 3, p99Ms: null },
    ]);
    expect(metrics.since('iris', 15_000).map((p) => p.at)).toEqual([20_000]);
    expect(metrics.prune(15_000)).toBe(2);
    expect(metrics.deleteDeployment('iris')).toBe(1);
    expect(metrics.since('iris', 0)).toEqual([]);
    expect(metrics.since('digits', 0)).toHaveLength(1);
  });
});

describe('request log repository', () => {
  it('writes a batch, reads the newest entries of a deployment with parsed inputs and predictions', () => {
    const log = new RequestLogRepository(db);
    log.insertBatch([row('iris', 1), row('iris', 2, { modelError: true, status: 400, predictions: null, truncated: true, rowCount: 40 }), row('digits', 3)]);
    const newest = log.newest('iris', 10);
    expect(newest.map((e) => e.at)).toEqual([2, 1]);
    expect(newest[0]).toMatchObject({ deployment: 'iris', version: 1, replicaId: 'r1', status: 400, modelError: true, predictions: null, truncated: true, rowCount: 40, inputs: [{ a: 2 }] });
    expect(newest[1]).toMatchObject({ requestId: 'req-1', latencyMs: 2.5, modelError: false, predictions: [1], truncated: false });
    expect(log.newest('iris', 1)).toHaveLength(1);
  });

  it('keeps at most N newest entries per deployment and none older than the age limit', () => {
    const log = new RequestLogRepository(db);
    log.insertBatch(Array.from({ length: 30 }, (_, i) => row('iris', 100 + i)));
    log.insertBatch(Array.from({ length: 5 }, (_, i) => row('digits', 200 + i)));
    log.insertBatch([row('old', 1)]);
    expect(log.prune(10, 50)).toBe(20 + 1);
    expect(log.newest('iris', 100).map((e) => e.at)).toEqual(Array.from({ length: 10 }, (_, i) => 129 - i));
    expect(log.count('digits')).toBe(5);
    expect(log.count('old')).toBe(0);
    expect(log.deleteDeployment('iris')).toBe(10);
    expect(log.count('iris')).toBe(0);
  });
});
