import { OrreryError } from '../../../shared/errors';
import type { Handlers } from '../rpc/handlers';
import { canonicalFile, type PipelineService } from './pipeline-service';
import type { PipelineTriggers } from './pipeline-triggers';
import type { TriggerCoordinator } from './triggers/trigger-coordinator';

type PipelineHandlers = Pick<Handlers, Extract<keyof Handlers, `pipelines.${string}`>>;

interface HandlerDeps {
  service: PipelineService;
  triggers: PipelineTriggers;
  coordinator: TriggerCoordinator;
  enabled: boolean;
}

/** The pipelines methods: a thin mapping onto the service and the triggers. */
export function pipelineHandlers({ service, triggers, coordinator, enabled }: HandlerDeps): PipelineHandlers {
  const runs = () => {
    if (!enabled) throw new OrreryError('UNAVAILABLE', 'Pipelines run in a running Orrery (the desktop app or `npm run serve`), not in a process that opened the store for one call.');
  };
  return {
    'pipelines.list': () => service.summaries((file) => coordinator.nextCronFire(file), (file) => triggers.list(file)),
    'pipelines.checkFile': async ({ file }) => {
      const definition = await service.validate(file);
      return { name: definition.name, dialect: definition.dialect, stages: definition.stages.map((s) => ({ name: s.name, kind: s.kind, needs: s.needs })) };
    },
    'pipelines.startRun': async ({ file, force, forceStages, from, runner }) => {
      runs();
      const absolute = canonicalFile(file);
      const { run, done } = await service.start({ file: absolute, reason: { kind: 'manual', detail: 'started by hand' }, options: { force, forceStages, from: from ?? null, runner: runner ?? null } });
      // Triggers that come while it runs wait for it, and are coalesced into one follow-up run.
      coordinator.track(absolute, run.runId, done);
      return run;
    },
    'pipelines.getRun': ({ runId }) => service.getRun(runId),
    'pipelines.getLatestRun': ({ file }) => service.latestRun(file),
    'pipelines.listRuns': ({ file, limit }) => service.listRuns(file, limit),
    'pipelines.cancel': ({ runId }) => {
      runs();
      return service.cancel(runId);
    },
    'pipelines.createTrigger': async ({ file, trigger }) => {
      runs();
      const absolute = canonicalFile(file);
      // The file must be a pipeline this app can run (reading it also syncs its own triggers).
      const definition = await service.validate(absolute);
      return triggers.add(definition, trigger);
    },
    'pipelines.listTriggers': ({ file }) => triggers.list(file === undefined ? undefined : canonicalFile(file)),
    'pipelines.deleteTrigger': ({ triggerId }) => {
      runs();
      triggers.remove(triggerId);
      return { removed: true as const };
    },
  };
}
