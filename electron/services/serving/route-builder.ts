import type { ReplicaView } from '../../../shared/contract/serving';
import type { DeploymentRow, DeploymentVersionRow } from './deployment-repository';
import type { DeploymentRoutes, UpstreamReplica } from './serving-routes';

/** The request log keeps at most this much of each body. */
export const LOG_BODY_CAP = 64 * 1024;

/**
 * The gateway's table for one deployment: versions by weight with their ready replicas, and the
 * shadow, which gets copies of `shadowShare` percent of requests (the running shadow rollout's
 * setting; a shadow version's own weight stays 0, as it takes no live traffic).
 */
export function routesOf(
  row: DeploymentRow,
  versions: DeploymentVersionRow[],
  replicas: ReplicaView[],
  portOf: (replicaId: string) => number | null,
  shadowShare: number,
): DeploymentRoutes {
  const ready = (version: number): UpstreamReplica[] =>
    replicas
      .filter((r) => r.version === version && r.state === 'ready')
      .flatMap((r) => {
        const port = portOf(r.replicaId);
        return port === null ? [] : [{ replicaId: r.replicaId, version, host: '127.0.0.1', port }];
      });
  const shadow = versions.find((v) => v.role === 'shadow');
  return {
    name: row.name,
    port: row.port,
    serving: row.desired === 'running',
    token: row.token,
    timeoutMs: row.settings.timeoutSeconds * 1000,
    maxBodyBytes: Math.round(row.settings.maxBodyMb * 1024 * 1024),
    logRequests: row.settings.logRequests,
    versions: versions.filter((v) => v.role !== 'shadow').map((v) => ({ version: v.version, weight: v.weight, replicas: ready(v.version) })),
    shadow: shadow ? { version: shadow.version, share: shadowShare, replicas: ready(shadow.version) } : null,
  };
}
