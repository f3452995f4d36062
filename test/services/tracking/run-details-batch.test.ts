import type BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../../electron/services/events/event-bus';
import { openDatabase } from '../../../electron/services/store/database';
import { TrackingService } from '../../../electron/services/tracking/tracking-service';
import { ManualClock } from '../../fakes/manual-clock';
import { tempDir } from '../../helpers/temp-dir';

// tracking.getRuns: the compare page reads its runs in one request; each run must be exactly what
// tracking.getRun gives for it, whatever else is on the page.

let db: BetterSqlite3.Database;
let tracking: TrackingService;

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  tracking = new TrackingService({ db, bus: new EventBus(), now: new ManualClock(1_000).now, environment: () => ({ gpus: 0 }) });
});
afterEach(() => db.close());

describe('getRunDetails', () => {
  it('gives each run as getRunDetail does, in the order asked, and lists ids that name no run', () => {
    const experimentId = tracking.createExperiment('batch');
    const ids = Array.from({ length: 5 }, (_, i) => {
      const { runId } = tracking.createRun({ experimentId, name: `r${i}`, tags: [{ key: 'team', value: `t${i}` }] });
      tracking.logBatch(runId, {
        params: [{ key: 'lr', value: String(0.1 * (i + 1)) }],
        metrics: [{ key: 'loss', value: 1 / (i + 1), timestamp: 5, step: i }],
        tags: [],
      });
      if (i % 2 === 0) tracking.logInputs(runId, [{ name: `data-${i}`, digest: `d${i}`, sourceType: 'local', source: `/d/${i}`, schema: null, profile: null, tags: [] }]);
      return runId;
    });
    tracking.setRunLifecycle(ids[3]!, 'deleted');
    const unknown = 'f'.repeat(32);
    const asked = [ids[4]!, unknown, ids[0]!, ids[3]!, ids[4]!];

    const { runs, missing } = tracking.getRunDetails(asked);

    expect(runs.map((r) => r.runId)).toEqual([ids[4], ids[0], ids[3]]);
    for (const run of runs) expect(run).toEqual(tracking.getRunDetail(run.runId));
    expect(runs[0]!.inputs.map((d) => d.name)).toEqual(['data-4']);
    expect(runs[2]!.lifecycleStage).toBe('deleted');
    expect(missing).toEqual([unknown]);
  });
});
