import path from 'node:path';
import type Database from 'better-sqlite3';
import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import type { LeftoverSweep } from '../store/crash-leftovers';
import { ArtifactStore } from './artifact-store';
import { sweepPartialArtifacts } from './partial-artifacts';
import { trackingHandlers } from './tracking-handlers';
import { TrackingService } from './tracking-service';

export interface TrackingAreaDeps {
  db: Database.Database;
  bus: EventBus;
  dataDir: string;
  /** The machine facts recorded with each new run (the hardware area's latest reading). */
  environment?: () => Record<string, unknown> | null;
}

export interface TrackingArea {
  service: TrackingService;
  /** Run artifacts on disk, `<dataDir>/artifacts`; the MLflow REST adapter serves them too. */
  artifacts: ArtifactStore;
  handlers: Pick<Handlers, Extract<keyof Handlers, `tracking.${string}`>>;
  /** The start-up sweep of uploads a crash left half-written. */
  sweepLeftovers: LeftoverSweep;
  close(): void;
}

/** Experiments, runs, metrics and artifacts, with their RPC methods. Depends on no other area. */
export function createTracking(deps: TrackingAreaDeps): TrackingArea {
  const service = new TrackingService({ db: deps.db, bus: deps.bus, environment: deps.environment });
  const artifacts = new ArtifactStore(path.join(deps.dataDir, 'artifacts'), (written) => deps.bus.publish('tracking.artifact', written));
  return {
    service,
    artifacts,
    handlers: trackingHandlers(service, artifacts),
    sweepLeftovers: (stopped) => sweepPartialArtifacts(artifacts, stopped),
    close() {},
  };
}
