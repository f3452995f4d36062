import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import BetterSqlite3 from 'better-sqlite3';
import type { IntegrityStatus } from '../../../shared/contract/app';

/**
 * At the measured ~150-200 MB/s, 8 MiB is checked in well under 50 ms: at once, on this thread.
 * Larger stores are checked in a child process and the event loop never waits for them.
 */
export const INLINE_LIMIT_BYTES = 8 * 1024 * 1024;
/** A check that has not finished in this long is given up (reported as failed, not as damage). */
export const CHECK_TIMEOUT_MS = 30 * 60 * 1000;
const MAX_PROBLEMS = 10;
const MAX_PROBLEM_CHARS = 300;

export interface IntegrityCheckOptions {
  file: string;
  /** The Electron build of better-sqlite3 (desktop in development); the Node build otherwise. */
  nativeBinding?: string | undefined;
  inlineLimitBytes?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** What one run of quick_check found: its report lines ('ok' alone when healthy), or the error it threw. */
type Outcome = { lines: string[] } | { error: { message: string; code?: string | undefined } };

/**
 * SQLite's quick_check over every page of the store: b-tree structure, cell and record format,
 * free-list. It does not compare indexes with their tables (integrity_check does, far slower).
 * It reads through a separate read-only connection, so it never writes and never blocks writers
 * (WAL); a check of a large store holds one read snapshot, so the WAL is not checkpointed past
 * it until the check ends.
 */
export class IntegrityCheck {
  private current: IntegrityStatus;
  private running: Promise<IntegrityStatus> | null = null;
  private child: ChildProcess | null = null;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly options: IntegrityCheckOptions) {
    this.now = options.now ?? Date.now;
    this.current = {
      state: 'checking',
      message: `The pages of ${options.file} have not been checked yet.`,
      databaseFile: options.file,
      sizeBytes: 0,
      background: false,
      problems: [],
      startedAt: null,
      finishedAt: null,
    };
  }

  status(): IntegrityStatus {
    return { ...this.current, problems: [...this.current.problems] };
  }

  /**
   * Runs the check once (later calls return the same result). A small store is checked before
   * this returns; a large one in a child process. `onChange` hears the background start and the
   * result.
   */
  start(onChange?: (status: IntegrityStatus) => void): Promise<IntegrityStatus> {
    if (this.running) return this.running;
    const { file } = this.options;
    const sizeBytes = sizeOf(file) + sizeOf(`${file}-wal`);
    const background = sizeBytes > (this.options.inlineLimitBytes ?? INLINE_LIMIT_BYTES);
    this.current = {
      ...this.current,
      sizeBytes,
      background,
      startedAt: this.now(),
      message: background
        ? `Checking the pages of ${file} (${formatBytes(sizeBytes)}) in the background; Orrery works meanwhile.`
        : `Checking the pages of ${file}.`,
    };
    const finish = (outcome: Outcome): IntegrityStatus => {
      if (!this.stopped) {
        const finishedAt = this.now();
        this.current = { ...this.current, ...judge(file, outcome, this.current.startedAt ?? finishedAt, finishedAt), finishedAt };
        onChange?.(this.status());
      }
      return this.status();
    };
    if (!background) {
      this.running = Promise.resolve(finish(checkHere(file, this.options.nativeBinding)));
    } else {
      onChange?.(this.status());
      this.running = this.checkInChild().then(finish);
    }
    return this.running;
  }

  /** Stops a background check (the app is closing) at once; the status stays as it is. */
  stop(): void {
    this.stopped = true;
    this.child?.kill('SIGKILL');
    this.child = null;
  }

  /**
   * A child process, not a worker thread: quick_check is one native call that nothing can
   * interrupt, and a process exits only once its worker threads have returned, so closing Orrery
   * on a store of gigabytes waited minutes for the check. A child is killed at once. Under
   * Electron, process.execPath is Electron run as Node (ELECTRON_RUN_AS_NODE), with its own build
   * of better-sqlite3 (nativeBinding).
   */
  private checkInChild(): Promise<Outcome> {
    return new Promise<Outcome>((resolve) => {
      const job = { module: betterSqlite3Path(), file: this.options.file, nativeBinding: this.options.nativeBinding, maxProblems: MAX_PROBLEMS };
      let child: ChildProcess;
      try {
        child = spawn(process.execPath, ['-e', CHILD_SOURCE, JSON.stringify(job)], {
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (error) {
        resolve({ error: { message: `the background check could not start: ${messageOf(error)}` } });
        return;
      }
      this.child = child;
      // Never what keeps a process alive.
      child.unref();
      const timeoutMs = this.options.timeoutMs ?? CHECK_TIMEOUT_MS;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle({ error: { message: `the check did not finish within ${Math.round(timeoutMs / 60_000)} min and was stopped` } });
      }, timeoutMs);
      timer.unref();
      let settled = false;
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (this.child === child) this.child = null;
        resolve(outcome);
      };
      let out = '';
      let err = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.once('error', (error) => settle({ error: { message: `the background check failed: ${messageOf(error)}` } }));
      child.once('close', (code, signal) => {
        try {
          settle(JSON.parse(out) as Outcome);
        } catch {
          const why = signal ? `signal ${signal}` : `exit code ${code}`;
          settle({ error: { message: `the background check stopped (${why}) before it finished${err.trim() ? `: ${err.trim().slice(0, MAX_PROBLEM_CHARS)}` : ''}` } });
        }
      });
      // The pipes must not keep this process alive either.
      for (const pipe of [child.stdout, child.stderr] as Array<{ unref?: () => void } | null>) pipe?.unref?.();
    });
  }
}

/** The whole message for the terminal, or null when there is nothing to say there. */
export function integrityReport(status: IntegrityStatus): { stream: 'stdout' | 'stderr'; text: string } | null {
  if (status.state === 'damaged' || status.state === 'failed') return { stream: 'stderr', text: `Orrery: ${status.message}` };
  // A background check says when it starts and when it passed; a check done at once says nothing.
  if (status.background && (status.state === 'checking' || status.state === 'ok')) return { stream: 'stdout', text: `Orrery: ${status.message}` };
  return null;
}

/** The check on this thread, for a store small enough that it takes moments. */
function checkHere(file: string, nativeBinding: string | undefined): Outcome {
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(file, { readonly: true, fileMustExist: true, nativeBinding });
    const rows = db.pragma(`quick_check(${MAX_PROBLEMS})`) as Array<{ quick_check: string }>;
    return { lines: rows.map((row) => row.quick_check) };
  } catch (error) {
    return { error: { message: messageOf(error), code: (error as { code?: string }).code } };
  } finally {
    db?.close();
  }
}

/**
 * The child's whole program, plain JavaScript so it runs the same from sources (tests), the
 * bundled server and Electron's main process; better-sqlite3 is loaded by its resolved path. The
 * job comes as its last argument; the outcome goes to stdout as one JSON document. The check runs
 * on a worker thread so the main thread can watch its parent: a parent killed with -9 never stops
 * it, and an orphaned check would read a store of gigabytes to its end for nobody, so it ends
 * itself as soon as it has been orphaned.
 */
export const CHILD_SOURCE = `
const { Worker } = require('node:worker_threads');
const job = JSON.parse(process.argv[process.argv.length - 1]);
const parent = process.ppid;
const write = (outcome) => process.stdout.write(JSON.stringify(outcome), () => process.exit(0));
const worker = new Worker(\`
  const { parentPort, workerData: job } = require('node:worker_threads');
  let db;
  let outcome;
  try {
    const Database = require(job.module);
    db = new Database(job.file, { readonly: true, fileMustExist: true, nativeBinding: job.nativeBinding });
    const rows = db.pragma('quick_check(' + job.maxProblems + ')');
    outcome = { lines: rows.map((row) => row.quick_check) };
  } catch (error) {
    outcome = { error: { message: String(error && error.message || error), code: error && error.code } };
  } finally {
    if (db) db.close();
  }
  parentPort.postMessage(outcome);
\`, { eval: true, workerData: job });
worker.on('message', write);
worker.on('error', (error) => write({ error: { message: String(error && error.message || error) } }));
// Orphaned: its parent is gone, so nobody waits for the outcome. SIGKILL, since the worker may be
// inside one native call that nothing else interrupts.
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL');
}, 500).unref();
`;

/** Where better-sqlite3 is, resolved from this code's own location (a CommonJS bundle, ESM, or sources). */
function betterSqlite3Path(): string {
  const anchor = typeof __filename === 'string' ? __filename : (process.argv[1] ?? path.join(process.cwd(), 'index.js'));
  return createRequire(anchor).resolve('better-sqlite3');
}

const DAMAGE_CODES = new Set(['SQLITE_CORRUPT', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB', 'SQLITE_NOTADB']);

function judge(file: string, outcome: Outcome, startedAt: number, now: number): Pick<IntegrityStatus, 'state' | 'message' | 'problems'> {
  const took = () => (now - startedAt >= 1000 ? ` (in ${Math.round((now - startedAt) / 1000)} s)` : '');
  if ('lines' in outcome && outcome.lines.length === 1 && outcome.lines[0] === 'ok') {
    return { state: 'ok', message: `The pages of ${file} passed SQLite's quick check${took()}.`, problems: [] };
  }
  const damaged = 'lines' in outcome || DAMAGE_CODES.has(outcome.error.code ?? '');
  if (!damaged) {
    return {
      state: 'failed',
      message: `The pages of ${file} could not be checked: ${outcome.error.message}. This says nothing about damage; the check runs again at the next start.`,
      problems: [],
    };
  }
  const problems = ('lines' in outcome ? outcome.lines : [outcome.error.message]).slice(0, MAX_PROBLEMS).map(cut);
  const name = path.basename(file);
  return {
    state: 'damaged',
    problems,
    message:
      `The database ${file} is damaged: SQLite's quick check reports "${problems[0]}"` +
      (problems.length > 1 ? ` and ${problems.length - 1} more problem(s)` : '') +
      '. Orrery keeps running, but reading or writing the damaged part can fail and what it held may be lost. ' +
      `Stop Orrery, then either restore ${name} from a backup (delete ${name}-wal and ${name}-shm next to it first), ` +
      `or move ${name}, ${name}-wal and ${name}-shm aside to start with an empty store (\`sqlite3 ${name} .recover\` can salvage what is still readable), ` +
      'or start Orrery with another --data-dir.',
  };
}

function cut(line: string): string {
  return line.length > MAX_PROBLEM_CHARS ? `${line.slice(0, MAX_PROBLEM_CHARS)}…` : line;
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
  return `${Math.max(1, Math.round(bytes / 1024 ** 2))} MiB`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
