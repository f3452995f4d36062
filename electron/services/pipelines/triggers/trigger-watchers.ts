import type { EventBus } from '../../events/event-bus';
import type { TriggerReason, TriggerSpec } from '../pipeline-definition';
import { AlertTrigger } from './alert-trigger';
import { CommitWatch, type ReadBranchHead } from './commit-watch';
import { DatasetWatch, type WatchPath } from './dataset-watch';
import type { Timers } from './trigger-timers';

/** A trigger as the coordinator holds it: its spec and a stable id (the key of its saved state). */
export type IdentifiedTrigger = TriggerSpec & { id: string };

/** The triggers something has to watch (cron is the coordinator's own timer). */
export type WatchedTrigger = Exclude<IdentifiedTrigger, { kind: 'cron' }>;

export interface WatchCallbacks {
  /** What was recorded last for this trigger (a content hash, a commit id); null: nothing yet. */
  lastSeen: string | null;
  /** A value to record (the first one seen, and each new one). */
  remember(value: string): void;
  fire(reason: TriggerReason): void;
  problem(message: string): void;
}

export interface TriggerWatchers {
  watch(trigger: WatchedTrigger, callbacks: WatchCallbacks): { stop(): void };
}

export interface DefaultWatchersOptions {
  /** Content hash of a file or folder: the pipeline cache's hasher. */
  hash: (path: string) => Promise<string>;
  bus: EventBus;
  timers?: Timers;
  clock?: () => number;
  datasetDebounceMs?: number;
  datasetPollMs?: number;
  commitPollMs?: number;
  watchPath?: WatchPath;
  /** Whether a dataset path is there (default: it can be stat'ed). */
  exists?: (path: string) => Promise<boolean>;
  readHead?: ReadBranchHead;
}

/** The real watchers: file-system events and hashes, git, monitoring's alerts. */
export function defaultTriggerWatchers(options: DefaultWatchersOptions): TriggerWatchers {
  return {
    watch(trigger, callbacks) {
      const watcher = make(trigger, callbacks, options);
      watcher.start();
      return watcher;
    },
  };
}

function make(trigger: WatchedTrigger, callbacks: WatchCallbacks, options: DefaultWatchersOptions): { start(): void; stop(): void } {
  switch (trigger.kind) {
    case 'dataset':
      return new DatasetWatch({
        path: trigger.path,
        hash: options.hash,
        lastHash: callbacks.lastSeen,
        onBaseline: (hash) => callbacks.remember(hash),
        onChange: (hash) => {
          callbacks.remember(hash);
          callbacks.fire({ kind: 'dataset', detail: `dataset ${trigger.path} changed` });
        },
        onProblem: (message) => callbacks.problem(message),
        debounceMs: options.datasetDebounceMs,
        pollMs: options.datasetPollMs,
        timers: options.timers,
        watchPath: options.watchPath,
        exists: options.exists,
      });
    case 'commit':
      return new CommitWatch({
        repo: trigger.repo,
        branch: trigger.branch,
        lastSha: callbacks.lastSeen,
        onBaseline: (sha) => callbacks.remember(sha),
        onCommit: (sha) => {
          callbacks.remember(sha);
          callbacks.fire({ kind: 'commit', detail: `commit ${sha.slice(0, 12)} on ${trigger.branch} of ${trigger.repo}` });
        },
        onProblem: (message) => callbacks.problem(message),
        pollMs: options.commitPollMs,
        timers: options.timers,
        readHead: options.readHead,
      });
    case 'alert':
      return new AlertTrigger({
        bus: options.bus,
        deployment: trigger.deployment,
        clock: options.clock,
        onFire: (alert) =>
          callbacks.fire({ kind: 'alert', detail: `alert "${alert.name}" (${alert.metric}) firing on deployment ${alert.deployment}` }),
      });
  }
}
