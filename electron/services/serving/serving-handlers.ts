import type { Handlers } from '../rpc/handlers';
import type { ServingService } from './serving-service';

type ServingHandlers = Pick<Handlers, Extract<keyof Handlers, `serving.${string}`>>;

/** The serving methods; the service is ready once replicas left running have been found again. */
export function servingHandlers(ready: Promise<ServingService>): ServingHandlers {
  return {
    'serving.listDeployments': async () => (await ready).list(),
    'serving.getDeployment': async ({ name }) => (await ready).get(name),
    'serving.listVersionDeployments': async ({ model, version }) => (await ready).listForVersion(model, version),
    'serving.createDeployment': async (input) => (await ready).create(input),
    'serving.startRollout': async ({ name, version, strategy, settings, actor }) => (await ready).startRollout({ name, version, strategy, settings: withoutUndefined(settings), actor }),
    'serving.promoteRollout': async ({ name, actor }) => (await ready).manual(name, 'promote', actor),
    'serving.rollbackRollout': async ({ name, actor }) => (await ready).manual(name, 'rollback', actor),
    'serving.pauseRollout': async ({ name, actor }) => (await ready).manual(name, 'pause', actor),
    'serving.resumeRollout': async ({ name, actor }) => (await ready).manual(name, 'resume', actor),
    'serving.abortRollout': async ({ name, actor }) => (await ready).manual(name, 'abort', actor),
    'serving.scaleDeployment': async ({ name, replicas, actor }) => (await ready).scale(name, replicas, actor),
    'serving.updateDeployment': async ({ name, actor, ...changes }) => (await ready).update(name, withoutUndefined(changes), actor),
    'serving.stopDeployment': async ({ name, actor }) => (await ready).stop(name, actor),
    'serving.startDeployment': async ({ name, actor }) => (await ready).start(name, actor),
    'serving.deleteDeployment': async ({ name }) => (await ready).delete(name),
    'serving.getDeploymentToken': async ({ name }) => (await ready).token(name),
    'serving.queryMetrics': async ({ name, sinceMs }) => (await ready).metrics(name, sinceMs),
    'serving.listRequests': async ({ name, limit }) => (await ready).requests(name, limit),
    'serving.listEvents': async ({ name, limit }) => (await ready).events(name, limit),
    'serving.readLogs': async ({ name, tail }) => (await ready).logs(name, tail),
    'serving.invoke': async ({ name, body, contentType, version }) => (await ready).invoke(name, body, contentType, version),
  };
}

/** zod leaves absent optional keys out already; this keeps the type honest for exactOptionalPropertyTypes. */
function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
