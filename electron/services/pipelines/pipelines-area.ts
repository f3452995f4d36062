import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import type { PipelineRunOptions } from '../../../shared/contract/pipelines';
import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import { ContentHasher } from './cache/content-hasher';
import { PipelineStageCache } from './cache/stage-cache';
import { within } from './definition/dep-edges';
import { PipelineFileError } from './definition/pipeline-file-error';
import { readPipelineFile } from './definition/read-pipeline-file';
import type { PipelineDefinition } from './pipeline-definition';
import { PipelineFailureAlerts, type PipelineAlertsPort } from './pipeline-failure-alerts';
import { PipelineRepository } from './pipeline-repository';
import { PipelineService } from './pipeline-service';
import { PipelineTriggers } from './pipeline-triggers';
import { pipelineHandlers } from './pipelines-handlers';
import type { AppCall } from './ports';
import { StageFailure } from './stages/stage-context';
import { TriggerCoordinator, type TriggerStateStore } from './triggers/trigger-coordinator';
import { defaultTriggerWatchers } from './triggers/trigger-watchers';

export interface PipelinesAreaDeps {
  db: Database.Database;
  bus: EventBus;
  /** The app's own methods (bound once the dispatcher exists). */
  call: AppCall;
  dockerReady(): Promise<boolean>;
  /** Monitoring's alerts: a failed run raises the pipeline's alert, a succeeded one resolves it. */
  alerts: PipelineAlertsPort;
  /** false: no runs and no triggers (the command line opening the store for one call). */
  enabled: boolean;
}

export interface PipelinesArea {
  service: PipelineService;
  triggers: PipelineTriggers;
  handlers: Pick<Handlers, Extract<keyof Handlers, `pipelines.${string}`>>;
  /** Resumes runs left running and arms the triggers; after the server answers (stages call it). */
  start(): Promise<void>;
  close(): void;
}

export const DEFAULT_RUN_OPTIONS: PipelineRunOptions = { force: false, forceStages: [], from: null, runner: null };

/** Pipelines: definitions read from files, runs driven stage by stage, the cache, and triggers. */
export function createPipelines(deps: PipelinesAreaDeps): PipelinesArea {
  const repo = new PipelineRepository(deps.db);
  const hasher = new ContentHasher(deps.db);
  const now = () => Date.now();
  let triggers: PipelineTriggers | null = null;
  const failureAlerts = new PipelineFailureAlerts(deps.alerts, (file) => service.latestRun(file)?.name ?? path.basename(path.dirname(file)));

  // Parsed files by their stat: the pipelines list reads every known file, and must not re-parse them all.
  const parsed = new Map<string, { stamp: string; definition: PipelineDefinition }>();
  const readDefinition = async (file: string): Promise<PipelineDefinition> => {
    const stat = await fs.promises.stat(file).catch(() => null);
    const stamp = stat ? `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}` : '';
    const known = parsed.get(file);
    const definition = known && stamp !== '' && known.stamp === stamp ? known.definition : checkOuts(withDataDeps(await readPipelineFile(file)));
    if (stamp !== '') parsed.set(file, { stamp, definition });
    triggers?.syncFromFile(definition);
    return definition;
  };

  const service = new PipelineService({
    repo,
    call: deps.call,
    events: deps.bus,
    cache: new PipelineStageCache(hasher),
    now,
    newId: () => randomUUID().replace(/-/g, '').slice(0, 16),
    readDefinition,
    onRunEnded: (run) => failureAlerts.runEnded(run),
    resolveRunner: async (requested) => requested ?? ((await deps.dockerReady()) ? 'docker' : 'process'),
    imageDigest: async (image, runner) => {
      if (runner === 'process') return null;
      const wanted = image.includes(':') || image.startsWith('sha256:') ? image : `${image}:latest`;
      const found = (await deps.call('training.listImages', {})).find((candidate) => candidate.tag === wanted || candidate.id === image);
      if (!found) throw new StageFailure(`image '${image}' does not exist on this machine (see docker images; no image can be pulled for a stage)`);
      return found.id;
    },
  });

  const coordinator: TriggerCoordinator = new TriggerCoordinator({
    startRun: async (file, reason) => {
      const { run, done } = await service.start({ file, reason: { kind: reason.kind, detail: reason.detail }, options: DEFAULT_RUN_OPTIONS });
      return { runId: run.runId, done };
    },
    state: {
      getLastCronCheck: (id) => store().getLastCronCheck(id),
      setLastCronCheck: (id, at) => store().setLastCronCheck(id, at),
      getLastDatasetHash: (id) => store().getLastDatasetHash(id),
      setLastDatasetHash: (id, hash) => store().setLastDatasetHash(id, hash),
      getLastCommit: (id) => store().getLastCommit(id),
      setLastCommit: (id, sha) => store().setLastCommit(id, sha),
    },
    watchers: defaultTriggerWatchers({ hash: (path) => hasher.hash(path), bus: deps.bus }),
    onProblem: ({ triggerId, message }) => triggers?.noteProblem(triggerId, message),
    onStartFailed: (file, reason, error) => {
      console.error(`[pipelines] ${reason.kind} trigger could not start ${file}:`, error);
      failureAlerts.startFailed(file, reason, error);
    },
  });
  triggers = new PipelineTriggers(repo, coordinator, now);
  const store = (): TriggerStateStore => triggers!.stateStore();

  return {
    service,
    triggers,
    handlers: pipelineHandlers({ service, triggers, coordinator, enabled: deps.enabled }),
    async start() {
      if (!deps.enabled) return;
      service.resume();
      for (const stored of repo.runningRuns()) {
        coordinator.track(stored.view.file, stored.view.runId, service.waitFor(stored.view.runId));
      }
      triggers!.armAll();
      await coordinator.start();
    },
    close() {
      coordinator.stop();
      service.close();
    },
  };
}

/** A validate-data stage's datasets are part of its key like any dep. */
function withDataDeps(definition: PipelineDefinition): PipelineDefinition {
  return {
    ...definition,
    stages: definition.stages.map((stage) => (stage.kind === 'validate-data' ? { ...stage, deps: [...new Set([...stage.deps, stage.reference, stage.current])] } : stage)),
  };
}

/**
 * Outs lie inside the pipeline's folder: only it is mounted into the stages, and an out elsewhere
 * (`/etc/passwd`) would always look present, a cache hit made of someone else's file.
 */
function checkOuts(definition: PipelineDefinition): PipelineDefinition {
  const problems = definition.stages.flatMap((stage) =>
    stage.outs.filter((out) => !within(out, definition.folder)).map((out) => ({ line: stage.line, field: `stages.${stage.name}.outs`, message: `'${out}' is outside the pipeline's folder ${definition.folder}; a stage's outs are written inside it` })),
  );
  if (problems.length > 0) throw new PipelineFileError(definition.file, problems);
  return definition;
}
