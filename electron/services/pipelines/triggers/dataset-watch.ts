import { statSync, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { realTimers, type Timers } from './trigger-timers';

/** Starts watching a path; calls `onEvent` on any change under it and returns the stop function. */
export type WatchPath = (path: string, onEvent: () => void, onError: (error: Error) => void) => () => void;

export interface DatasetWatchOptions {
  /** Absolute file or folder. */
  path: string;
  /** Content hash of the file or folder (the pipeline cache's hasher, whose stat cache keeps it cheap). */
  hash: (path: string) => Promise<string>;
  /** The hash the caller recorded last; null: the first hash seen is only the baseline. */
  lastHash: string | null;
  /** The content changed from `previous` (also across a restart, against `lastHash`). */
  onChange: (hash: string, previous: string) => void;
  /** The first hash when there was no `lastHash`: remember it, nothing fires. */
  onBaseline?: (hash: string) => void;
  /** The path is gone, or could not be read; said once per problem, and watching goes on. */
  onProblem: (message: string) => void;
  /** Quiet time after the last change event before hashing. Default 2 s. */
  debounceMs?: number;
  /** Slow re-check for what events miss (network shares, a path that is gone). Default 30 s. */
  pollMs?: number;
  timers?: Timers;
  watchPath?: WatchPath;
  /** Whether the path is there (default: it can be stat'ed). */
  exists?: (path: string) => Promise<boolean>;
}

export const DATASET_DEBOUNCE_MS = 2000;
export const DATASET_POLL_MS = 30_000;

/**
 * Fires when the content of a dataset path changes: file-system events (recursive for a folder),
 * debounced so a burst of writes gives one check, plus a slow poll; each check hashes the content
 * and fires only when the hash differs from the last one seen, so a touch or a rewrite of the same
 * bytes fires nothing. A path that disappears is reported and polled for until it comes back.
 */
export class DatasetWatch {
  private readonly debounceMs: number;
  private readonly pollMs: number;
  private readonly timers: Timers;
  private readonly watchPath: WatchPath;
  private readonly exists: (path: string) => Promise<boolean>;
  private last: string | null;
  private closeWatcher: (() => void) | null = null;
  private debounceTimer: unknown = null;
  private pollTimer: unknown = null;
  private checking = false;
  private recheck = false;
  private missing = false;
  private reported: string | null = null;
  private running = false;

  constructor(private readonly options: DatasetWatchOptions) {
    this.debounceMs = options.debounceMs ?? DATASET_DEBOUNCE_MS;
    this.pollMs = options.pollMs ?? DATASET_POLL_MS;
    this.timers = options.timers ?? realTimers;
    this.watchPath = options.watchPath ?? fsWatchPath;
    this.exists = options.exists ?? pathExists;
    this.last = options.lastHash;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
    void this.check();
  }

  stop(): void {
    this.running = false;
    this.disarm();
    if (this.debounceTimer !== null) this.timers.clearTimeout(this.debounceTimer);
    if (this.pollTimer !== null) this.timers.clearTimeout(this.pollTimer);
    this.debounceTimer = this.pollTimer = null;
  }

  private arm(): void {
    if (this.closeWatcher || !this.running) return;
    try {
      this.closeWatcher = this.watchPath(
        this.options.path,
        () => this.changed(),
        // A dead watcher (the folder was removed, too many watches): the poll carries on and re-arms.
        () => this.disarm(),
      );
    } catch {
      this.closeWatcher = null;
    }
  }

  private disarm(): void {
    const close = this.closeWatcher;
    this.closeWatcher = null;
    close?.();
  }

  private changed(): void {
    if (!this.running) return;
    if (this.debounceTimer !== null) this.timers.clearTimeout(this.debounceTimer);
    this.debounceTimer = this.timers.setTimeout(() => {
      this.debounceTimer = null;
      void this.check();
    }, this.debounceMs);
  }

  private schedulePoll(): void {
    if (!this.running) return;
    if (this.pollTimer !== null) this.timers.clearTimeout(this.pollTimer);
    this.pollTimer = this.timers.setTimeout(() => {
      this.pollTimer = null;
      // A burst is still settling: its debounced check will look.
      if (this.debounceTimer !== null) return this.schedulePoll();
      void this.check();
    }, this.pollMs);
  }

  private async check(): Promise<void> {
    if (!this.running) return;
    if (this.checking) {
      this.recheck = true;
      return;
    }
    this.checking = true;
    try {
      await this.look();
    } finally {
      this.checking = false;
      if (this.recheck && this.running) {
        this.recheck = false;
        this.changed();
      }
      this.schedulePoll();
    }
  }

  private async look(): Promise<void> {
    const { path } = this.options;
    if (!(await this.exists(path))) {
      if (!this.missing) {
        this.missing = true;
        this.disarm();
        this.problem(`dataset path ${path} is not there (deleted or moved); watching for it to come back`);
      }
      return;
    }
    if (this.missing) this.missing = false;
    this.arm();
    let hash: string;
    try {
      hash = await this.options.hash(path);
    } catch (error) {
      this.problem(`dataset path ${path} could not be read: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!this.running) return;
    this.reported = null;
    const previous = this.last;
    this.last = hash;
    if (previous === null) this.options.onBaseline?.(hash);
    else if (previous !== hash) this.options.onChange(hash, previous);
  }

  private problem(message: string): void {
    if (!this.running || this.reported === message) return;
    this.reported = message;
    this.options.onProblem(message);
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * fs.watch, recursive for a folder (Linux has it since Node 20), never keeping the process alive.
 * A file is watched through its folder, by name: editors and `mv` replace a file with a new one,
 * which a watch on the old file would never see.
 */
export const fsWatchPath: WatchPath = (path, onEvent, onError) => {
  let watcher: FSWatcher;
  if (statSync(path).isDirectory()) {
    try {
      watcher = watch(path, { recursive: true, persistent: false }, () => onEvent());
    } catch {
      // A platform without recursive watching: the top folder's events, and the poll for the rest.
      watcher = watch(path, { persistent: false }, () => onEvent());
    }
  } else {
    const name = basename(path);
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name) onEvent();
    });
  }
  watcher.on('error', onError);
  return () => watcher.close();
};
