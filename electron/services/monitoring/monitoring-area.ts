import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import { AlertRepository } from './alerts/alert-repository';
import { AlertsService } from './alerts/alerts-service';
import { WebhookNotifier } from './alerts/webhook-notifier';
import { InlineCompute, WorkerCompute, type MonitoringCompute } from './compute/monitoring-compute';
import { monitoringHandlers } from './monitoring-handlers';
import { MonitoringRepository } from './monitoring-repository';
import { MonitoringService } from './monitoring-service';
import type { ArtifactFiles, RunReader, ServedDeployments, VersionReader } from './ports';
import { ReportExporter } from './report-exporter';

export interface MonitoringAreaDeps {
  db: Database.Database;
  bus: EventBus;
  /** Serving's service once up (rejects where serving is unavailable). */
  deployments: Promise<ServedDeployments>;
  runs: RunReader;
  artifacts: ArtifactFiles;
  versions: VersionReader;
  /** The worker script; null runs the work inline (unit tests). Default: the bundled worker beside the app's code. */
  workerScript?: string | null;
  /** How often windows are looked at (ms). */
  tickMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface MonitoringArea {
  service: MonitoringService;
  alerts: AlertsService;
  handlers: Pick<Handlers, Extract<keyof Handlers, `monitoring.${string}`>>;
  close(): Promise<void>;
}

/** Drift, data quality, labelled performance and alerts for deployments; the heavy work runs in a worker thread. */
export function createMonitoring(deps: MonitoringAreaDeps): MonitoringArea {
  const now = deps.now ?? Date.now;
  const repository = new MonitoringRepository(deps.db);
  const alertRepository = new AlertRepository(deps.db);
  const script = deps.workerScript === undefined ? bundledWorker() : deps.workerScript;
  if (deps.workerScript === undefined && script === null) console.warn('[monitoring] no worker bundle (dist/workers/monitoring-worker.cjs): checks run on the main thread; run npm run build');
  const compute: MonitoringCompute = script ? new WorkerCompute(script) : new InlineCompute();
  let service: MonitoringService | null = null;
  const alerts = new AlertsService({
    repository: alertRepository,
    bus: deps.bus,
    clock: now,
    notifier: new WebhookNotifier({ fetch: deps.fetch ?? fetch, settings: alertRepository }),
    deploymentExists: (name) => service?.deploymentExists(name) ?? false,
  });
  service = new MonitoringService({ repository, compute, deployments: deps.deployments, runs: deps.runs, artifacts: deps.artifacts, versions: deps.versions, alerts, bus: deps.bus, now });
  const running = service;
  const timer = setInterval(() => void running.tick(), deps.tickMs ?? 2000);
  timer.unref();
  const unsubscribe = deps.bus.subscribe('serving.deployment', (event) => {
    if (event.status === null) running.deploymentRemoved(event.name);
  });
  return {
    service,
    alerts,
    handlers: monitoringHandlers(service, alerts, new ReportExporter(service, repository, (deployment) => alerts.listAlerts({ deployment, limit: 1000 }), now)),
    async close() {
      clearInterval(timer);
      unsubscribe();
      await compute.close();
    },
  };
}

/**
 * dist/workers/monitoring-worker.cjs, found from the running bundle (dist/cli/*.js or
 * dist/main/index.cjs) or, from sources, under the working directory's dist/. Null (inline) only
 * when no build exists, which the app's own start never is.
 */
export function bundledWorker(): string | null {
  const anchor = typeof __filename === 'string' ? __filename : (process.argv[1] ?? '');
  const candidates = [path.resolve(path.dirname(anchor), '../workers/monitoring-worker.cjs'), path.resolve('dist/workers/monitoring-worker.cjs')];
  return candidates.find((file) => fs.existsSync(file)) ?? null;
}
