import type { Database } from 'better-sqlite3';

interface Job {
  work: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes that arrive together (several clients logging at once) share one commit: each runs in
 * its own savepoint, so a refused one rolls back alone, and every caller hears back only after
 * the shared commit, so nothing is acknowledged before it is stored.
 */
export class CommitGroup {
  private pending: Job[] = [];
  private scheduled = false;

  constructor(private readonly db: Database) {}

  run(work: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ work, resolve, reject });
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
    const failures = new Map<Job, unknown>();
    try {
      this.db.transaction(() => {
        for (const job of jobs) {
          try {
            this.db.transaction(job.work)();
          } catch (error) {
            failures.set(job, error);
          }
        }
      })();
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const job of jobs) {
      if (failures.has(job)) job.reject(failures.get(job));
      else job.resolve();
    }
  }
}
