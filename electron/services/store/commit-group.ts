import type { Database } from 'better-sqlite3';

/** A write in two halves: `check` may refuse (and writes nothing); `write` only stores. Both may run twice. */
export interface GroupedWrite<T> {
  check(): void;
  write(): T;
}

/** Told how each transaction ended, so caches of what it wrote can be kept or dropped. */
export interface TransactionListener {
  committed(): void;
  rolledBack(): void;
}

interface Job {
  write: GroupedWrite<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const NO_LISTENER: TransactionListener = { committed() {}, rolledBack() {} };

/**
 * Writes that arrive together (several clients logging at once) share one transaction and one
 * commit. A write refused by its check has written nothing, so the others go on without needing
 * savepoints (which would copy every page they touch). Every caller hears back only after the
 * shared commit, so nothing is acknowledged before it is stored. When the shared transaction
 * fails (a write SQLite refuses, a full disk), each write is tried again in a transaction of its
 * own: one bad write fails only its own request.
 */
export class CommitGroup {
  private pending: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly db: Database,
    private readonly listener: TransactionListener = NO_LISTENER,
  ) {}

  run<T>(write: GroupedWrite<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const jobs = this.pending;
    this.pending = [];
    const together = this.commit(jobs);
    if (together.ok) {
      jobs.forEach((job, i) => settle(job, together.outcomes[i]!));
      return;
    }
    if (jobs.length === 1) {
      jobs[0]!.reject(together.error);
      return;
    }
    for (const job of jobs) {
      const alone = this.commit([job]);
      settle(job, alone.ok ? alone.outcomes[0]! : { ok: false, error: alone.error });
    }
  }

  /** One transaction for these jobs: every job's outcome, or the error that rolled it all back. */
  private commit(jobs: readonly Job[]): { ok: true; outcomes: Outcome[] } | { ok: false; error: unknown } {
    const outcomes: Outcome[] = [];
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          try {
            job.write.check();
          } catch (error) {
            outcomes.push({ ok: false, error });
            continue;
          }
          outcomes.push({ ok: true, value: job.write.write() });
        }
      })();
    } catch (error) {
      this.listener.rolledBack();
      return { ok: false, error };
    }
    this.listener.committed();
    return { ok: true, outcomes };
  }
}

function settle(job: Job, outcome: Outcome): void {
  if (outcome.ok) job.resolve(outcome.value);
  else job.reject(outcome.error);
}
