import { describe, expect, it } from 'vitest';
import { AlertRepository } from '../../../../electron/services/monitoring/alerts/alert-repository';
import { openDatabase } from '../../../../electron/services/store/database';
import { migrations } from '../../../../electron/services/store/migrations/index';
import { tempDir } from '../../../helpers/temp-dir';

/** Migration 13 rebuilds the alerts table so pipeline alerts fit: the alerts a store already has come through unchanged. */
describe('migration 13 (pipeline alerts)', () => {
  it('keeps every alert with its id as a rule alert, and never reuses an id a deleted incident had', () => {
    const dataDir = tempDir();
    const before = openDatabase({ dataDir, migrations: migrations.filter((m) => m.version < 13) });
    const old = before.db;
    old.prepare("INSERT INTO alert_rules (id, deployment, name, metric, comparison, threshold, for_seconds, created_at) VALUES (7, 'fraud-api', 'errors', 'error_rate', '>', 0.01, 0, 1)").run();
    const insert = old.prepare(
      "INSERT INTO alerts (rule_id, deployment, name, metric, comparison, threshold, state, value, message, started_at, firing_at, acknowledged_at, acknowledged_by, notified_at) VALUES (7, 'fraud-api', 'errors', 'error_rate', '>', 0.01, ?, 0.5, 'error_rate 0.5 > 0.01 on fraud-api', 10, 10, 20, 'ana', 10)",
    );
    insert.run('firing');
    insert.run('resolved');
    insert.run('pending');
    // A pending incident that never fired is deleted: its id (3) must not come back.
    old.prepare('DELETE FROM alerts WHERE id = 3').run();
    old.close();

    const { db, schemaVersion } = openDatabase({ dataDir });
    expect(schemaVersion).toBeGreaterThanOrEqual(13);
    const repository = new AlertRepository(db);
    const kept = repository.listAlerts({ limit: 10 });
    expect(kept.map((a) => [a.id, a.state, a.source, a.ruleId, a.deployment, a.pipeline])).toEqual([
      [2, 'resolved', 'rule', 7, 'fraud-api', null],
      [1, 'firing', 'rule', 7, 'fraud-api', null],
    ]);
    expect(kept[1]).toMatchObject({ metric: 'error_rate', comparison: '>', threshold: 0.01, value: 0.5, acknowledgedBy: 'ana', notifiedAt: 10 });
    expect(repository.openIncident(7)?.id).toBe(1);

    const id = repository.insertPipelineIncident({
      file: '/p/orrery.pipeline.yaml',
      name: 'p',
      runId: 'r1',
      stage: 'train',
      error: 'boom',
      failures: 1,
      title: 'Pipeline failed',
      state: 'firing',
      message: 'pipeline p failed',
      startedAt: 30,
      firingAt: 30,
      resolvedAt: null,
      notifiedAt: 30,
    });
    expect(id).toBe(4);
    db.close();
  });

  it('refuses a second open incident for the same pipeline and a rule alert without its rule', () => {
    const { db } = openDatabase({ dataDir: tempDir() });
    const repository = new AlertRepository(db);
    const fields = { file: '/p/dvc.yaml', name: 'p', runId: null, stage: null, error: 'bad', failures: 1, title: 'Pipeline failed', state: 'firing' as const, message: 'm', startedAt: 1, firingAt: 1, resolvedAt: null, notifiedAt: 1 };
    repository.insertPipelineIncident(fields);
    expect(() => repository.insertPipelineIncident(fields)).toThrow(/UNIQUE constraint failed/);
    repository.insertPipelineIncident({ ...fields, state: 'resolved', resolvedAt: 2 });
    expect(() => db.prepare("INSERT INTO alerts (name, state, message, started_at) VALUES ('x', 'firing', 'm', 1)").run()).toThrow(/CHECK constraint failed/);
    db.close();
  });
});
