import type { Handlers } from '../rpc/handlers';
import type { TrainingService } from './training-service';

type TrainingHandlers = Pick<Handlers, Extract<keyof Handlers, `training.${string}`>>;

/** The UI's training methods; the service becomes ready once the machine's capacity is known. */
export function trainingHandlers(ready: Promise<TrainingService>): TrainingHandlers {
  return {
    'training.submit': async ({ spec, fromRunId }) => (await ready).submit(spec, fromRunId),
    'training.checkHostPath': async ({ source, kind }) => (await ready).checkHostPath(source, kind),
    'training.submitSweep': async ({ spec, sweep }) => (await ready).submitSweep(spec, sweep),
    'training.getSweep': async ({ runId }) => (await ready).getSweep(runId),
    'training.listJobs': async ({ status }) => (await ready).list(status),
    'training.getJob': async ({ jobId }) => (await ready).get(jobId),
    'training.cancel': async ({ jobId }) => (await ready).cancel(jobId),
    'training.retry': async ({ jobId }) => (await ready).retry(jobId),
    'training.listImages': async () => (await ready).images(),
    'training.getResources': async () => (await ready).resourceUsage(),
    'training.getLogs': async ({ jobId, tail, search }) => (await ready).logs(jobId, tail, search),
  };
}
