import type { OrreryClient } from '../../shared/client';
import type { Job, JobLogLine } from '../../shared/contract/training';
import { watchJobEnd } from './jobs-end-watch';

/** The most lines `training.getLogs` returns: the whole log of any job but a very chatty one. */
export const WHOLE_LOG = 100_000;

export interface JobFollowOptions {
  /** The job id or its run's. */
  id: string;
  /** Print only the last lines already written (all of them when left out). */
  tail?: number;
  pollMs?: number;
}

/**
 * `jobs logs ID --follow`: the lines written so far, then each new one as `training.log` brings it,
 * until the job ends; resolves with the ended job. Subscribed before the first read, so a line
 * written meanwhile is either in that read or held and printed once. At the end the log is read
 * again and whatever the event stream did not bring (it opens a moment after subscribing, and may
 * drop) is printed, so no line is lost either.
 */
export async function followJobLogs(client: OrreryClient, options: JobFollowOptions, print: (line: JobLogLine) => void): Promise<Job> {
  const { id } = options;
  let live = false;
  let held: JobLogLine[] = [];
  const printedLive = new LineCounts();
  const offLog = client.on('training.log', (line) => {
    if (line.jobId !== id && line.runId !== id) return;
    if (!live) held.push(line);
    else {
      print(line);
      printedLive.add(line);
    }
  });
  const watch = watchJobEnd(client, id, options.pollMs);
  // An unknown id fails the read below; this rejection is that same failure.
  watch.ended.catch(() => undefined);
  try {
    const first = await client.call('training.getLogs', { jobId: id, tail: WHOLE_LOG });
    (options.tail === undefined ? first : first.slice(-options.tail)).forEach(print);
    const inFirst = new LineCounts(first);
    for (const line of held) {
      if (inFirst.take(line)) continue;
      print(line);
      printedLive.add(line);
    }
    held = [];
    live = true;
    const job = await watch.ended;
    const last = await client.call('training.getLogs', { jobId: id, tail: WHOLE_LOG });
    // The log only grows: what follows the first read's lines is what the stream had to bring.
    for (const line of last.slice(first.length)) if (!printedLive.take(line)) print(line);
    return job;
  } finally {
    offLog();
    watch.close();
  }
}

/** A multiset of log lines: the same text may be written twice in the same millisecond, and both count. */
class LineCounts {
  private readonly counts = new Map<string, number>();

  constructor(lines: readonly JobLogLine[] = []) {
    for (const line of lines) this.add(line);
  }

  add(line: JobLogLine): void {
    const key = keyOf(line);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Removes one such line; false when there was none. */
  take(line: JobLogLine): boolean {
    const key = keyOf(line);
    const n = this.counts.get(key) ?? 0;
    if (n === 0) return false;
    this.counts.set(key, n - 1);
    return true;
  }
}

function keyOf(l: JobLogLine): string {
  return `${l.at}\u0000${l.stream}\u0000${l.line}`;
}
