import { Worker } from 'node:worker_threads';
import { OrreryError, type ErrorCode } from '../../../../shared/errors';
import { ComputeHandler } from './compute-handler';
import type { ComputeAnswer, ComputeRequest, ComputeResults } from './compute-protocol';

/** Runs monitoring's computations: in a worker thread (the app), or inline (the command line, unit tests). */
export interface MonitoringCompute {
  run<R extends ComputeRequest>(request: R): Promise<ComputeResults[R['type']]>;
  close(): Promise<void>;
}

/** The same work on the calling thread: for one-shot command-line runs and unit tests. */
export class InlineCompute implements MonitoringCompute {
  private readonly handler = new ComputeHandler();

  run<R extends ComputeRequest>(request: R): Promise<ComputeResults[R['type']]> {
    // Copied as a worker would, so inline and worker runs cannot differ by shared objects.
    return this.handler.handle(structuredClone(request));
  }

  async close(): Promise<void> {}
}

/**
 * One worker thread, started on first use and again after it dies (a crash fails only the
 * requests it held, with a message saying so). Requests queue in the worker, one at a time.
 */
export class WorkerCompute implements MonitoringCompute {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private closed = false;

  /**
   * `role` 'main': the worker may start a peer thread of its own for half the columns of a large
   * check; 'peer': it is such a thread and starts none.
   */
  constructor(
    private readonly script: string,
    private readonly role: 'main' | 'peer' = 'main',
  ) {}

  /** `transfer`: buffers in the request to move to the worker instead of copying (unusable here after). */
  run<R extends ComputeRequest>(request: R, transfer: ArrayBuffer[] = []): Promise<ComputeResults[R['type']]> {
    if (this.closed) return Promise.reject(new OrreryError('UNAVAILABLE', 'Monitoring is shutting down.'));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, request }, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new OrreryError('UNAVAILABLE', 'Monitoring is shutting down.'));
    if (worker) await worker.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { workerData: { script: this.script, role: this.role } });
    worker.unref();
    worker.on('message', (answer: ComputeAnswer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.ok) waiting.resolve(answer.result);
      else waiting.reject(new OrreryError(answer.error.code as ErrorCode, answer.error.message));
    });
    const lost = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failAll(new OrreryError('INTERNAL', `The monitoring worker stopped (${reason}); the check was not done. It starts again with the next check.`));
    };
    worker.on('error', (error) => lost(error.message));
    worker.on('exit', (code) => lost(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const w of waiting) w.reject(error);
  }
}
