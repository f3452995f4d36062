import type { Database } from 'better-sqlite3';

/** A write in two halves: `check` may refuse (and writes nothing); `write` only stores. */
export interface GroupedWrite<T> {
  check(): void;
  write(): T;
}

interface Job {
  write: GroupedWrite<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Writes that arrive together (several clients logging at once) share one transaction and one
 * commit. A write refused by its check has written nothing, so the others go on without needing
 * savepoints (which would copy every page they touch). Every caller hears back only after the
 * shared commit, so nothing is acknowledged before it is stored; if the commit itself fails,
 * every write in it is refused and none is stored.
 */
export class CommitGroup {
  private pending: Job[] = [];
  private scheduled = false;

  constructor(private readonly db: Database) {}

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
    const outcomes = new Map<Job, { ok: true; value: unknown } | { ok: false; error: unknown }>();
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          try {
            job.write.check();
          } catch (error) {
            outcomes.set(job, { ok: false, error });
            continue;
          }
          outcomes.set(job, { ok: true, value: job.write.write() });
        }
      })();
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const job of jobs) {
      const outcome = outcomes.get(job)!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    }
  }
}
