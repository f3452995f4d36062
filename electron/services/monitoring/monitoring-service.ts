import path from 'node:path';
import type {
  ColumnDistributionView,
  DriftReportView,
  FeedbackResult,
  MonitorSettings,
  MonitorView,
  MonitorWindowDetail,
  MonitorWindowView,
} from '../../../shared/contract/monitoring';
import type { ParsedInput } from '../../../shared/contract/index';
import { invalid, notFound, OrreryError } from '../../../shared/errors';
import type { EventBus } from '../events/event-bus';
import type { MonitoringCompute } from './compute/monitoring-compute';
import type { ProfileResult } from './compute/compute-protocol';
import { monitorView, windowDetail, windowView } from './monitor-views';
import type { MonitoringRepository, MonitorRow } from './monitoring-repository';
import type { ArtifactFiles, RunReader, ServedDeployments, VersionReader } from './ports';
import { referenceFile } from './reference-resolver';
import { performanceValues, WindowChecker, type AlertObserver } from './window-checker';

export interface MonitoringServiceDeps {
  repository: MonitoringRepository;
  compute: MonitoringCompute;
  /** Serving's service once it is up; rejects where serving is unavailable (the command line, no engine). */
  deployments: Promise<ServedDeployments>;
  runs: RunReader;
  artifacts: ArtifactFiles;
  versions: VersionReader;
  alerts: AlertObserver & { ensureDefaultRules(deployment: string): void; forgetDeployment(deployment: string): void; tick(at: number): void };
  bus: EventBus;
  now?: () => number;
}

export const DEFAULT_WINDOW_ROWS = 1_000;
/** Error rate and p95 are judged over this much recent traffic. */
const HEALTH_SPAN_MS = 60_000;

type SettingsInput = Partial<Omit<MonitorSettings, 'windowRequests' | 'windowMinutes'>> & { windowRequests?: number | null | undefined; windowMinutes?: number | null | undefined };

/**
 * Drift and data-quality monitoring of deployments: a reference profile per deployment, windows of
 * its request log checked against it (in the monitoring worker), labels joined by request id,
 * and alert rules fed with every window's numbers and the deployment's live health.
 */
export class MonitoringService {
  private readonly now: () => number;
  private readonly windows: WindowChecker;
  private ticking = false;
  private served: ServedDeployments | null = null;
  /** One change of a deployment's monitor at a time (a reference, a window, a delete), in call order. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: MonitoringServiceDeps) {
    this.now = deps.now ?? Date.now;
    deps.deployments.then(
      (served) => (this.served = served),
      () => undefined,
    );
    this.windows = new WindowChecker({ repository: deps.repository, compute: deps.compute, deployments: lazyDeployments(() => this.served), alerts: deps.alerts, bus: deps.bus, now: this.now });
  }

  /** Whether a deployment exists now (false while serving is starting or unavailable). */
  deploymentExists(name: string): boolean {
    return this.served?.has(name) ?? false;
  }

  // ---- reading ----

  async listMonitors(): Promise<MonitorView[]> {
    const served = await this.deployments();
    return this.deps.repository.list().map((row) => this.view(row, served));
  }

  async getMonitor(deployment: string): Promise<MonitorView | null> {
    const served = await this.deployments();
    const row = this.deps.repository.get(deployment);
    if (!row) {
      if (!served.has(deployment)) throw notFound(`deployment: no deployment named '${deployment}'`);
      return null;
    }
    return this.view(row, served);
  }

  listWindows(deployment: string, limit: number): MonitorWindowView[] {
    this.monitor(deployment);
    return this.deps.repository.windows(deployment, limit).map(windowView);
  }

  getWindow(deployment: string, windowId: number): MonitorWindowDetail {
    const row = this.deps.repository.window(deployment, windowId);
    if (!row) throw notFound(`windowId: deployment '${deployment}' has no window ${windowId}`);
    return windowDetail(row, this.deps.repository.report(row.id));
  }

  getDistribution(deployment: string, windowId: number, column: string): ColumnDistributionView {
    const row = this.deps.repository.window(deployment, windowId);
    if (!row) throw notFound(`windowId: deployment '${deployment}' has no window ${windowId}`);
    const stored = this.deps.repository.report(row.id);
    const found = stored?.distributions.find((d) => d.column === column);
    if (!found) {
      const known = stored?.distributions.map((d) => d.column).join(', ') || 'none: the window was not checked';
      throw notFound(`column: window ${windowId} has no column '${column}' (its columns: ${known})`);
    }
    return found;
  }

  // ---- reference and settings ----

  async setReference(input: ParsedInput<'monitoring.setReference'>): Promise<MonitorView> {
    const served = await this.deployments();
    if (!served.has(input.deployment)) throw notFound(`deployment: no deployment named '${input.deployment}'`);
    return this.exclusive(input.deployment, () => this.setReferenceNow(input, served));
  }

  private async setReferenceNow(input: ParsedInput<'monitoring.setReference'>, served: ServedDeployments): Promise<MonitorView> {
    const settings = mergeSettings(this.deps.repository.get(input.deployment)?.settings ?? null, input);
    const at = this.now();
    const base: MonitorRow = {
      deployment: input.deployment,
      state: 'collecting',
      reason: null,
      source: input.source,
      settings,
      summary: null,
      cursorLogId: 0,
      windowStarted: at,
      createdAt: at,
      updatedAt: at,
    };
    if (input.source.kind === 'requests') {
      this.deps.repository.replace(base, null);
    } else {
      const file = await referenceFile(input.source, this.deps.runs, this.deps.artifacts);
      const built = await this.deps.compute.run({ type: 'profile-file', file: file!, kinds: settings.columnKinds });
      checkSettingsFit(settings, built);
      // Windows start after the rows logged by now (the time spent reading the file included).
      const cursor = served.loggedCountAfter(input.deployment, 0).lastId;
      this.deps.repository.replace({ ...base, state: 'watching', summary: built.summary, cursorLogId: cursor, windowStarted: this.now() }, built.profile);
    }
    this.deps.alerts.ensureDefaultRules(input.deployment);
    this.deps.bus.publish('monitoring.monitor', { deployment: input.deployment });
    if (input.source.kind === 'requests') await this.collect(this.monitor(input.deployment), served);
    return this.view(this.monitor(input.deployment), served);
  }

  async updateMonitor(input: ParsedInput<'monitoring.updateMonitor'>): Promise<MonitorView> {
    const served = await this.deployments();
    return this.exclusive(input.deployment, () => this.updateMonitorNow(input, served));
  }

  private updateMonitorNow(input: ParsedInput<'monitoring.updateMonitor'>, served: ServedDeployments): MonitorView {
    const row = this.monitor(input.deployment);
    const settings = mergeSettings(row.settings, input);
    if (row.summary) checkSettingsFit(settings, { summary: row.summary });
    if (input.columnKinds && JSON.stringify(input.columnKinds) !== JSON.stringify(row.settings.columnKinds)) {
      throw invalid('columnKinds: column kinds shape the reference profile; set the reference again (monitoring.setReference) to change them');
    }
    this.deps.repository.updateSettings(input.deployment, settings, this.now());
    this.deps.bus.publish('monitoring.monitor', { deployment: input.deployment });
    return this.view(this.monitor(input.deployment), served);
  }

  /** A deleted deployment takes its monitor, windows, labels, rules and alerts with it. */
  deploymentRemoved(deployment: string): Promise<void> {
    return this.exclusive(deployment, () => {
      if (this.served?.has(deployment)) return;
      if (this.deps.repository.delete(deployment)) this.deps.bus.publish('monitoring.monitor', { deployment });
      this.deps.alerts.forgetDeployment(deployment);
    });
  }

  deleteMonitor(deployment: string): Promise<{ deleted: true }> {
    return this.exclusive(deployment, () => {
      if (!this.deps.repository.delete(deployment)) throw notFound(`deployment: '${deployment}' has no reference`);
      this.deps.alerts.forgetDeployment(deployment);
      this.deps.bus.publish('monitoring.monitor', { deployment });
      return { deleted: true as const };
    });
  }

  // ---- windows ----

  /** Closes the current window now, whatever its size. */
  async checkMonitor(deployment: string): Promise<MonitorWindowView | null> {
    const served = await this.deployments();
    if (!served.has(deployment)) throw notFound(`deployment: no deployment named '${deployment}'`);
    return this.exclusive(deployment, async () => {
      const row = this.monitor(deployment);
      if (row.state !== 'watching') throw new OrreryError('CONFLICT', `deployment: '${deployment}' has no reference yet (${row.state}: ${row.reason ?? 'gathering its first logged requests'})`);
      const closed = await this.windows.close(row, null);
      return closed ? windowView(closed) : null;
    });
  }

  /**
   * Closes every window that is due (by rows or by time), builds references that were waiting for
   * logged requests, and feeds alert rules with live health. The area calls it every few seconds.
   */
  async tick(): Promise<void> {
    if (this.ticking || !this.served) return;
    this.ticking = true;
    try {
      const served = this.served;
      for (const row of this.deps.repository.list()) {
        if (!served.has(row.deployment)) continue;
        try {
          await this.exclusive(row.deployment, async () => {
            const fresh = this.deps.repository.get(row.deployment);
            if (fresh?.state === 'collecting') await this.collect(fresh, served);
            else if (fresh?.state === 'watching') await this.closeDue(fresh, served);
          });
          const health = served.health(row.deployment, HEALTH_SPAN_MS);
          this.deps.alerts.observe(row.deployment, this.now(), [
            { metric: 'error_rate', column: null, value: health.errorRate },
            { metric: 'p95_ms', column: null, value: health.p95Ms },
          ]);
        } catch (error) {
          console.error(`[monitoring] ${row.deployment}:`, error);
        }
      }
      this.deps.alerts.tick(this.now());
    } finally {
      this.ticking = false;
    }
  }

  private async closeDue(row: MonitorRow, served: ServedDeployments): Promise<void> {
    let current = row;
    // Several full windows may be waiting (a burst of traffic): close them in order, a few per tick.
    for (let i = 0; i < 10; i++) {
      const pending = served.loggedCountAfter(current.deployment, current.cursorLogId);
      const byRows = current.settings.windowRequests !== null && pending.rows >= current.settings.windowRequests;
      const byTime = current.settings.windowMinutes !== null && this.now() - current.windowStarted >= current.settings.windowMinutes * 60_000;
      if (!byRows && !byTime) return;
      if (pending.requests === 0) {
        this.deps.repository.restartWindow(current.deployment, this.now());
        return;
      }
      await this.windows.close(current, byRows ? current.settings.windowRequests : null);
      current = this.monitor(current.deployment);
    }
  }

  /** A reference of the first N logged rows: built once that many are logged. */
  private async collect(row: MonitorRow, served: ServedDeployments): Promise<void> {
    if (row.source.kind !== 'requests') return;
    const logged = served.loggedCountAfter(row.deployment, 0);
    if (logged.rows < row.source.count || logged.requests === 0) return;
    const requests = [];
    let rows = 0;
    let after = 0;
    while (rows < row.source.count) {
      const page = served.loggedAfter(row.deployment, after, 1000);
      if (page.length === 0) break;
      for (const r of page) {
        if (rows >= row.source.count) break;
        requests.push(r);
        rows += r.rowCount;
      }
      after = page[page.length - 1]!.id;
    }
    try {
      const built = await this.deps.compute.run({
        type: 'profile-logged',
        requests: requests.map((r) => ({ requestId: r.requestId, rowCount: r.rowCount, truncated: r.truncated, inputs: r.inputs, predictions: r.predictions })),
        predictionColumn: row.settings.predictionColumn,
        kinds: row.settings.columnKinds,
      });
      this.deps.repository.setProfile(row.deployment, built.profile, built.summary, requests[requests.length - 1]!.id, this.now());
    } catch (error) {
      this.deps.repository.setState(row.deployment, 'failed', `The reference could not be built from the logged requests: ${error instanceof Error ? error.message : String(error)}`, this.now());
    }
    this.deps.bus.publish('monitoring.monitor', { deployment: row.deployment });
  }

  // ---- labels ----

  async recordFeedback(deployment: string, labels: ReadonlyArray<{ requestId: string; label: unknown }>): Promise<FeedbackResult> {
    const served = await this.deployments();
    if (!served.has(deployment)) throw notFound(`deployment: no deployment named '${deployment}'`);
    const ids = labels.map((l) => l.requestId);
    const logged = served.loggedByRequestId(deployment, ids);
    const known = new Set(logged.map((r) => r.requestId));
    const unknown = [...new Set(ids.filter((id) => !known.has(id)))];
    if (known.size === 0) {
      throw notFound(`labels: no logged request of '${deployment}' has the id${unknown.length === 1 ? '' : 's'} ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''} (nothing was stored)`);
    }
    // One label per request (the last given wins), shaped like the request: a list of one label per row.
    const rowsOf = new Map(logged.map((r) => [r.requestId, r.rowCount]));
    const byId = new Map<string, unknown>();
    labels.forEach((l, i) => {
      const rows = rowsOf.get(l.requestId);
      if (rows === undefined) return;
      const count = Array.isArray(l.label) ? l.label.length : 1;
      if (rows > 1 && count !== rows) throw invalid(`labels[${i}].label: request ${l.requestId} had ${rows} rows, so its label must be a list of ${rows} labels (one per row); got ${Array.isArray(l.label) ? `a list of ${count}` : 'one value'}`);
      if (rows <= 1 && count !== 1) throw invalid(`labels[${i}].label: request ${l.requestId} had one row, so its label is one value; got a list of ${count}`);
      const values = Array.isArray(l.label) ? l.label : [l.label];
      if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) throw invalid(`labels[${i}].label: must be finite numbers, text or booleans`);
      byId.set(l.requestId, l.label);
    });
    const kept = [...byId].map(([requestId, label]) => ({ requestId, label }));
    this.deps.repository.saveLabels(deployment, kept, this.now());
    const monitor = this.deps.repository.get(deployment);
    if (monitor) {
      const windows = this.deps.repository.windowsHolding(deployment, logged.map((r) => r.id));
      let latest = null;
      for (const window of windows) latest = { window, performance: await this.windows.refreshPerformance(monitor, window) };
      if (latest) this.deps.alerts.observe(deployment, this.now(), performanceValues(latest.performance));
      if (windows.length) this.deps.bus.publish('monitoring.window', { deployment, windowId: windows[windows.length - 1]!.id, datasetDrift: windows[windows.length - 1]!.datasetDrift });
    }
    return { recorded: kept.length, unknown };
  }

  async importFeedback(input: ParsedInput<'monitoring.importFeedback'>): Promise<FeedbackResult> {
    const labels = await this.deps.compute.run({ type: 'read-labels', file: input.file, idColumn: input.idColumn, labelColumn: input.labelColumn });
    return this.recordFeedback(input.deployment, labels.map(([requestId, label]) => ({ requestId, label })));
  }

  // ---- files ----

  async compareDatasets(input: ParsedInput<'monitoring.compareDatasets'>): Promise<DriftReportView & { distributions: ColumnDistributionView[] }> {
    for (const field of ['reference', 'current'] as const) {
      if (!path.isAbsolute(input[field])) throw invalid(`${field}: '${input[field]}' must be an absolute path (a file on this machine)`);
    }
    const { report, distributions } = await this.deps.compute.run({
      type: 'compare-files',
      reference: input.reference,
      current: input.current,
      kinds: input.columnKinds,
      methods: input.methods,
      driftShare: input.driftShare,
      minRows: input.minRows,
      target: input.target ?? null,
    });
    return { ...report, distributions };
  }

  // ---- helpers ----

  private exclusive<T>(deployment: string, work: () => Promise<T> | T): Promise<T> {
    const previous = this.locks.get(deployment) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.locks.set(deployment, settled);
    void settled.then(() => {
      if (this.locks.get(deployment) === settled) this.locks.delete(deployment);
    });
    return next;
  }

  private async deployments(): Promise<ServedDeployments> {
    return this.deps.deployments;
  }

  private monitor(deployment: string): MonitorRow {
    const row = this.deps.repository.get(deployment);
    if (!row) throw notFound(`deployment: '${deployment}' has no reference (set one with monitoring.setReference or 'orrery monitor reference')`);
    return row;
  }

  private view(row: MonitorRow, served: ServedDeployments): MonitorView {
    const pending = served.has(row.deployment) ? served.loggedCountAfter(row.deployment, row.cursorLogId) : { rows: 0 };
    const collected = row.source.kind === 'requests' && row.state === 'collecting' ? Math.min(row.source.count, pending.rows) : (row.summary?.rows ?? 0);
    return monitorView(row, {
      collected,
      pendingRows: row.state === 'watching' ? pending.rows : 0,
      latest: this.deps.repository.latestWindow(row.deployment),
      referenceCreatedAt: this.deps.repository.profile(row.deployment)?.createdAt ?? null,
      runMetrics: this.runMetrics(row.deployment, served),
    });
  }

  private runMetrics(deployment: string, served: ServedDeployments): MonitorView['runMetrics'] {
    const version = served.servedVersion(deployment);
    if (!version) return null;
    try {
      const source = this.deps.versions.getVersion(version.model, version.version).source;
      if (source.type !== 'run') return null;
      const runId = source.runId;
      const metrics: Record<string, number> = {};
      for (const [key, m] of Object.entries(this.deps.runs.getRunDetail(runId).metrics)) if (typeof m.value === 'number') metrics[key] = m.value;
      return { model: version.model, version: version.version, runId, metrics };
    } catch {
      return null; // a deleted run or version: nothing to show beside the live numbers
    }
  }
}

function mergeSettings(previous: MonitorSettings | null, input: SettingsInput): MonitorSettings {
  const pick = <K extends keyof MonitorSettings>(key: K, fallback: MonitorSettings[K]): MonitorSettings[K] => (input[key] !== undefined ? (input[key] as MonitorSettings[K]) : (previous?.[key] ?? fallback));
  const settings: MonitorSettings = {
    windowRequests: pick('windowRequests', DEFAULT_WINDOW_ROWS),
    windowMinutes: pick('windowMinutes', null),
    driftShare: pick('driftShare', 0.5),
    minRows: pick('minRows', 30),
    columnKinds: pick('columnKinds', {}),
    methods: pick('methods', {}),
    predictionColumn: pick('predictionColumn', 'prediction'),
  };
  if (settings.windowRequests === null && settings.windowMinutes === null) throw invalid('windowRequests: a window needs a size in rows or in minutes (windowMinutes); both are null');
  if (settings.windowRequests !== null && settings.windowRequests < settings.minRows) {
    throw invalid(`windowRequests: a window of ${settings.windowRequests} rows could never give a verdict, since a test needs at least minRows (${settings.minRows}) values; use at least ${settings.minRows} rows or lower minRows`);
  }
  return settings;
}

const NUMERIC_ONLY = new Set(['ks', 'wasserstein', 'cramer_von_mises']);

/** Per-column methods must name reference columns of a kind they can test. */
function checkSettingsFit(settings: MonitorSettings, built: Pick<ProfileResult, 'summary'>): void {
  for (const [column, choice] of Object.entries(settings.methods)) {
    const found = built.summary.columns.find((c) => c.name === column);
    if (!found) throw invalid(`methods: column '${column}' is not in the reference (its columns: ${built.summary.columns.map((c) => c.name).join(', ')})`);
    if (found.kind === 'categorical' && NUMERIC_ONLY.has(choice.method)) throw invalid(`methods: '${choice.method}' tests numeric columns only, and '${column}' is categorical`);
  }
}

/** The deployments port while serving may not be up yet: calls before it is fail clearly. */
function lazyDeployments(get: () => ServedDeployments | null): ServedDeployments {
  const need = () => {
    const served = get();
    if (!served) throw new OrreryError('UNAVAILABLE', 'Serving is not running here, so there is no request log to read.');
    return served;
  };
  return {
    has: (name) => need().has(name),
    servedVersion: (name) => need().servedVersion(name),
    loggedAfter: (name, after, limit) => need().loggedAfter(name, after, limit),
    loggedCountAfter: (name, after) => need().loggedCountAfter(name, after),
    loggedByRequestId: (name, ids) => need().loggedByRequestId(name, ids),
    health: (name, span) => need().health(name, span),
  };
}
