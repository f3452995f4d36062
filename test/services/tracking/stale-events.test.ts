import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RegistryAuditEvent } from '../../../shared/contract/registry';
import type { ArtifactWrittenEvent, RunChangedEvent } from '../../../shared/contract/tracking';
import { EventBus } from '../../../electron/services/events/event-bus';
import { ModelRegistryService } from '../../../electron/services/registry/model-registry-service';
import { RegistryRepository } from '../../../electron/services/registry/registry-repository';
import { OciClient } from '../../../electron/services/registry/oci/oci-client';
import { openDatabase } from '../../../electron/services/store/database';
import { createTracking } from '../../../electron/services/tracking/tracking-area';
import type { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { tempDir } from '../../helpers/temp-dir';

/**
 * The events open views re-read on (issue 15, "screens never go stale"): a run's tags and params,
 * the files in its artifacts, and every audited registry change, each announced when it happens.
 */

let db: BetterSqlite3.Database;
let bus: EventBus;
let dataDir: string;
let tracking: TrackingService;
let area: ReturnType<typeof createTracking>;

beforeEach(() => {
  dataDir = tempDir();
  db = openDatabase({ dataDir }).db;
  bus = new EventBus();
  area = createTracking({ db, bus, dataDir });
  tracking = area.service;
});
afterEach(() => db.close());

function newRun(): { runId: string; experimentId: string } {
  const experimentId = tracking.createExperiment('stale');
  return { runId: tracking.createRun({ experimentId, name: 'r', tags: [] }).runId, experimentId };
}

describe('run changes a page shows', () => {
  it('a tag set, a tag removed and params logged are run changes; metrics alone are not', async () => {
    const { runId, experimentId } = newRun();
    const events: RunChangedEvent[] = [];
    bus.subscribe('tracking.run', (e) => events.push(e));
    tracking.logBatch(runId, { metrics: [{ key: 'loss', value: 1, step: 0, timestamp: 1 }], params: [], tags: [] });
    expect(events).toEqual([]);
    tracking.logBatch(runId, { metrics: [], params: [], tags: [{ key: 'team', value: 'vision' }] });
    await tracking.logBatchGrouped(runId, { metrics: [], params: [{ key: 'lr', value: '0.1' }], tags: [] });
    tracking.deleteTag(runId, 'team');
    expect(events).toEqual([
      { runId, experimentId, status: 'RUNNING', lifecycleStage: 'active', change: 'updated' },
      { runId, experimentId, status: 'RUNNING', lifecycleStage: 'active', change: 'updated' },
      { runId, experimentId, status: 'RUNNING', lifecycleStage: 'active', change: 'updated' },
    ]);
  });

  it('a refused tag removal announces nothing', () => {
    const { runId } = newRun();
    const events: RunChangedEvent[] = [];
    bus.subscribe('tracking.run', (e) => events.push(e));
    expect(() => tracking.deleteTag(runId, 'absent')).toThrow(/No tag with name: absent/);
    expect(events).toEqual([]);
  });
});

describe('artifact writes', () => {
  it('each file written whole is announced with its run and path; a refused write is not', async () => {
    const { runId, experimentId } = newRun();
    const events: ArtifactWrittenEvent[] = [];
    bus.subscribe('tracking.artifact', (e) => events.push(e));
    await area.artifacts.write(experimentId, runId, ['outputs', 'metrics.json'], Buffer.from('{}'));
    await expect(area.artifacts.write(experimentId, runId, ['outputs'], Buffer.from('x'))).rejects.toThrow(/is a folder/);
    expect(events).toEqual([{ experimentId, runId, path: 'outputs/metrics.json' }]);
  });
});

describe('registry audit', () => {
  it('every audited change is announced once its transaction has ended, with the model and the action', async () => {
    const registry = new ModelRegistryService({
      repository: new RegistryRepository(db),
      bus,
      tracking,
      artifacts: area.artifacts,
      dataDir,
      ociClient: () => new OciClient(),
    });
    const events: RegistryAuditEvent[] = [];
    bus.subscribe('registry.audit', (e) => events.push(e));
    // Gates on a model with no version yet: no version event exists for this, the audit event does.
    registry.setGates({ name: 'gated', actor: 'lead', gates: [{ kind: 'max_size', bytes: 5 }] });
    expect(events).toEqual([]); // not inside the caller's transaction
    await Promise.resolve();
    expect(events).toEqual([
      { name: 'gated', action: 'model.create' },
      { name: 'gated', action: 'gates.set' },
    ]);
  });
});

describe('experiment changes', () => {
  it('creating, renaming, tagging, deleting and restoring one are announced; a refused create is not', () => {
    const events: Array<{ experimentId: string; change: string }> = [];
    bus.subscribe('tracking.experiment', (e) => events.push(e));
    const id = tracking.createExperiment('first');
    expect(() => tracking.createExperiment('first')).toThrow(/already exists/);
    tracking.renameExperiment(id, 'second');
    tracking.setExperimentTag(id, { key: 'team', value: 'cv' });
    tracking.setExperimentLifecycle(id, 'deleted');
    tracking.setExperimentLifecycle(id, 'active');
    expect(events).toEqual([
      { experimentId: id, change: 'created' },
      { experimentId: id, change: 'updated' },
      { experimentId: id, change: 'updated' },
      { experimentId: id, change: 'deleted' },
      { experimentId: id, change: 'restored' },
    ]);
  });
});
