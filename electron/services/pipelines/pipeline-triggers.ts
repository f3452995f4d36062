import fs from 'node:fs';
import path from 'node:path';
import type { TriggerView } from '../../../shared/contract/pipelines';
import { OrreryError } from '../../../shared/errors';
import { within } from './definition/dep-edges';
import { parseCommitTarget } from './definition/definition-values';
import type { PipelineDefinition, TriggerSpec } from './pipeline-definition';
import type { PipelineRepository, StoredTrigger } from './pipeline-repository';
import { nextAfter, validateCron } from './triggers/cron-schedule';
import type { TriggerCoordinator, TriggerStateStore } from './triggers/trigger-coordinator';
import { triggerId } from './triggers/trigger-id';
import type { IdentifiedTrigger } from './triggers/trigger-watchers';

export type TriggerInput = { cron: string } | { dataset: string } | { commit: string } | { alert: string };

/**
 * The triggers of every pipeline: those written in its file (synced whenever the file is read)
 * and those added from the app or the command line, stored with what they last saw, and armed in
 * the coordinator.
 */
export class PipelineTriggers {
  private readonly problems = new Map<string, string>();

  constructor(
    private readonly repo: PipelineRepository,
    private readonly coordinator: TriggerCoordinator,
    private readonly now: () => number,
  ) {}

  /** Arms every stored trigger (at start). */
  armAll(): void {
    const files = new Set(this.repo.triggers().map((t) => t.file));
    for (const file of files) this.arm(file);
  }

  /** The file's own `triggers:` replace those it had before. */
  syncFromFile(definition: PipelineDefinition): void {
    const triggers = definition.triggers.map((spec) => ({ triggerId: triggerId(definition.file, spec), ...toStored(spec) }));
    this.repo.replaceTriggers(definition.file, 'file', triggers, this.now());
    this.arm(definition.file);
  }

  add(definition: PipelineDefinition, input: TriggerInput): TriggerView {
    const { file } = definition;
    const spec = parseTriggerInput(input, definition.folder);
    const outs = spec.kind === 'dataset' ? definition.stages.flatMap((stage) => stage.outs).filter((out) => within(out, spec.path)) : [];
    // The pipeline's own outputs change with each run: watching them would start runs forever.
    if (outs.length > 0) throw new OrreryError('INVALID_INPUT', `trigger.dataset: '${spec.kind === 'dataset' ? spec.path : ''}' holds this pipeline's own outs (${outs.join(', ')}); each run would trigger the next. Watch the data folder alone.`);
    const id = this.repo.addTrigger({ triggerId: triggerId(file, spec), file, source: 'user', state: {}, ...toStored(spec) }, this.now());
    this.arm(file);
    return this.view(this.repo.getTrigger(id)!);
  }

  remove(triggerId: string): void {
    const trigger = this.repo.getTrigger(triggerId);
    if (!trigger) throw new OrreryError('NOT_FOUND', `triggerId: no trigger '${triggerId}'`);
    if (trigger.source === 'file') throw new OrreryError('INVALID_INPUT', `triggerId: trigger ${triggerId} is written in ${trigger.file}; remove it there`);
    this.repo.removeTrigger(triggerId);
    this.arm(trigger.file);
  }

  list(file?: string): TriggerView[] {
    return this.repo.triggers(file).map((t) => this.view(t));
  }

  noteProblem(triggerId: string, message: string | null): void {
    if (message === null) this.problems.delete(triggerId);
    else this.problems.set(triggerId, message);
  }

  /** What the coordinator remembers between starts, kept in each trigger's row. */
  stateStore(): TriggerStateStore {
    const get = (id: string, key: string) => {
      const value = this.repo.getTrigger(id)?.state[key];
      return value === undefined ? null : value;
    };
    const set = (id: string, key: string, value: unknown) => {
      const trigger = this.repo.getTrigger(id);
      if (trigger) this.repo.setTriggerState(id, { ...trigger.state, [key]: value });
    };
    return {
      getLastCronCheck: (id) => get(id, 'lastCronCheck') as number | null,
      setLastCronCheck: (id, at) => set(id, 'lastCronCheck', at),
      getLastDatasetHash: (id) => get(id, 'lastDatasetHash') as string | null,
      setLastDatasetHash: (id, hash) => set(id, 'lastDatasetHash', hash),
      getLastCommit: (id) => get(id, 'lastCommit') as string | null,
      setLastCommit: (id, sha) => set(id, 'lastCommit', sha),
    };
  }

  private arm(file: string): void {
    const triggers = this.repo.triggers(file).map(toIdentified);
    this.coordinator.setTriggers(file, triggers);
  }

  private view(trigger: StoredTrigger): TriggerView {
    const next = trigger.kind === 'cron' ? nextAfter(trigger.target, new Date(this.now())) : null;
    return {
      triggerId: trigger.triggerId,
      file: trigger.file,
      kind: trigger.kind,
      target: trigger.target,
      source: trigger.source,
      nextAt: next?.getTime() ?? null,
      problem: this.problems.get(trigger.triggerId) ?? null,
    };
  }
}

function toStored(spec: TriggerSpec): Pick<StoredTrigger, 'kind' | 'target'> {
  switch (spec.kind) {
    case 'cron':
      return { kind: 'cron', target: spec.expression };
    case 'dataset':
      return { kind: 'dataset', target: spec.path };
    case 'commit':
      return { kind: 'commit', target: `${spec.repo}:${spec.branch}` };
    case 'alert':
      return { kind: 'alert', target: spec.deployment };
  }
}

function toIdentified(trigger: StoredTrigger): IdentifiedTrigger {
  const id = trigger.triggerId;
  switch (trigger.kind) {
    case 'cron':
      return { id, kind: 'cron', expression: trigger.target };
    case 'dataset':
      return { id, kind: 'dataset', path: trigger.target };
    case 'commit': {
      const at = trigger.target.lastIndexOf(':');
      return { id, kind: 'commit', repo: trigger.target.slice(0, at), branch: trigger.target.slice(at + 1) };
    }
    case 'alert':
      return { id, kind: 'alert', deployment: trigger.target };
  }
}

/** A trigger from the app or the command line, checked, with its paths made absolute. */
export function parseTriggerInput(input: TriggerInput, cwd: string): TriggerSpec {
  if ('cron' in input) {
    try {
      validateCron(input.cron);
    } catch (error) {
      throw new OrreryError('INVALID_INPUT', `trigger.cron: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { kind: 'cron', expression: input.cron };
  }
  if ('dataset' in input) {
    const target = path.resolve(cwd, input.dataset);
    if (!fs.existsSync(target)) throw new OrreryError('INVALID_INPUT', `trigger.dataset: '${target}' does not exist`);
    return { kind: 'dataset', path: target };
  }
  if ('commit' in input) {
    const target = parseCommitTarget(input.commit, cwd);
    if (typeof target === 'string') throw new OrreryError('INVALID_INPUT', `trigger.commit: ${target}`);
    if (!fs.existsSync(path.join(target.repo, '.git')) && !fs.existsSync(path.join(target.repo, 'HEAD'))) throw new OrreryError('INVALID_INPUT', `trigger.commit: '${target.repo}' is not a git repository`);
    return { kind: 'commit', ...target };
  }
  return { kind: 'alert', deployment: input.alert };
}
