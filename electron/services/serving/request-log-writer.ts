import { loggedInputs, loggedPredictions } from './logged-rows';
import type { RequestLogRepository, RequestLogRow } from './request-log-repository';
import type { RequestObservation } from './serving-routes';

/** The longest the writer parses bodies before letting the event loop (and the gateway) go on, ms. */
const SLICE_MS = 2;

/** How much of the serving history is kept; the service prunes with these. */
export interface ServingRetention {
  /** Newest request-log entries kept per deployment. */
  requestLogRows: number;
  /** Request-log entries older than this go, ms. */
  requestLogAgeMs: number;
  /** serving_metrics rows older than this go, ms. */
  metricsAgeMs: number;
}

export const DEFAULT_RETENTION: ServingRetention = {
  requestLogRows: 100_000,
  requestLogAgeMs: 7 * 24 * 3_600_000,
  metricsAgeMs: 30 * 24 * 3_600_000,
};

export interface RequestLogWriterOptions {
  /** How long an observation may wait before its batch is written, ms (default 250). */
  flushIntervalMs?: number;
  /** A batch this big is written at once (default 500). */
  flushItems?: number;
  /** Observations waiting beyond this are dropped and counted (default 20 000). */
  maxQueue?: number;
  /** Input rows (and predictions) kept per request (default 1000). */
  maxRowsPerRequest?: number;
  /** Told when a batch could not be written (the batch is dropped and counted). */
  onError?: (error: unknown) => void;
}

/**
 * Writes the request log off the request path: observations queue in memory and are turned into
 * rows (inputs parsed by MLflow's protocol, predictions from the answer) in slices of at most
 * SLICE_MS, then written in one transaction every flushIntervalMs or flushItems. A full queue
 * drops and counts; the gateway is never made to wait for the store.
 */
export class RequestLogWriter {
  private queue: RequestObservation[] = [];
  /** Parsed rows waiting for the batch's write. */
  private ready: RequestLogRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly flushIntervalMs: number;
  private readonly flushItems: number;
  private readonly maxQueue: number;
  private readonly maxRows: number;
  /** Observations dropped because the queue was full or their batch failed. */
  dropped = 0;
  written = 0;

  constructor(
    private readonly repository: Pick<RequestLogRepository, 'insertBatch'>,
    private readonly options: RequestLogWriterOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 250;
    this.flushItems = options.flushItems ?? 500;
    this.maxQueue = options.maxQueue ?? 20_000;
    this.maxRows = options.maxRowsPerRequest ?? 1000;
  }

  /** Queues an observation that carries bodies (logRequests on); false when dropped. */
  enqueue(observation: RequestObservation): boolean {
    if (!observation.request) return false;
    if (this.queue.length + this.ready.length >= this.maxQueue) {
      this.dropped++;
      return false;
    }
    this.queue.push(observation);
    if (this.queue.length + this.ready.length >= this.flushItems) this.schedule(0);
    else this.schedule(this.flushIntervalMs);
    return true;
  }

  /** Turns everything queued into rows and writes them now, in one transaction; returns the entries written. */
  flush(): number {
    this.cancel();
    for (const o of this.queue) this.ready.push(this.toRow(o));
    this.queue = [];
    return this.write();
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    this.cancel();
    this.timer = setTimeout(this.slice, ms);
    this.timer.unref();
  }

  private cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * Parses queued bodies for at most SLICE_MS, then yields to the event loop (the gateway shares
   * it) until all are rows; then writes the batch. No pause of the loop is longer than a slice
   * plus one insert.
   */
  private readonly slice = (): void => {
    this.timer = null;
    const deadline = performance.now() + SLICE_MS;
    let done = 0;
    while (done < this.queue.length && performance.now() < deadline) this.ready.push(this.toRow(this.queue[done++]!));
    this.queue = done === this.queue.length ? [] : this.queue.slice(done);
    if (this.queue.length > 0) {
      this.timer = setTimeout(this.slice, 0);
      this.timer.unref();
      return;
    }
    this.write();
  };

  private write(): number {
    const rows = this.ready;
    this.ready = [];
    if (rows.length === 0) return 0;
    try {
      this.repository.insertBatch(rows);
      this.written += rows.length;
      return rows.length;
    } catch (error) {
      this.dropped += rows.length;
      this.options.onError?.(error);
      return 0;
    }
  }

  /** Writes what is left and stops the timer. */
  close(): void {
    this.flush();
  }

  /** Forgets queued entries of a deployment being deleted. */
  forget(deployment: string): void {
    this.queue = this.queue.filter((o) => o.deployment !== deployment);
    this.ready = this.ready.filter((r) => r.deployment !== deployment);
  }

  toRow(o: RequestObservation): RequestLogRow {
    const request = o.request!;
    const inputs = loggedInputs(request.contentType, request.body, request.bytes, this.maxRows);
    const ok = o.status >= 200 && o.status < 300 && o.response !== undefined;
    const predictions = ok ? loggedPredictions(o.response!.body, o.response!.bytes, this.maxRows) : null;
    return {
      deployment: o.deployment,
      at: o.at,
      version: o.version,
      replicaId: o.replicaId,
      status: o.status,
      latencyMs: o.latencyMs,
      requestId: o.requestId,
      modelError: o.modelError,
      rowCount: inputs.rowCount,
      truncated: inputs.truncated,
      inputs: inputs.rows === null ? null : JSON.stringify(inputs.rows),
      predictions: predictions === null || predictions === undefined ? null : JSON.stringify(predictions),
    };
  }
}
