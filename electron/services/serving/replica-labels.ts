import type { ReplicaSpec } from './replica-runtime';

/** Labels on every replica container; LABEL_REPLICA marks them apart from job containers. */
export const LABEL_REPLICA = 'dev.orrery.serving.replica';
const LABEL_DEPLOYMENT = 'dev.orrery.serving.deployment';
const LABEL_SPEC = 'dev.orrery.serving.spec';
/** Which data dir's Orrery started it: another Orrery (another data dir) leaves it alone. */
export const LABEL_STORE = 'dev.orrery.serving.store';

export function replicaLabels(spec: ReplicaSpec, storeId: string): Record<string, string> {
  return { [LABEL_REPLICA]: spec.replicaId, [LABEL_DEPLOYMENT]: spec.deployment, [LABEL_STORE]: storeId, [LABEL_SPEC]: JSON.stringify(spec) };
}

/** The spec a container was started from, or null when its labels are not a replica's. */
export function specFromLabels(labels: Record<string, string>): ReplicaSpec | null {
  const text = labels[LABEL_SPEC];
  if (!labels[LABEL_REPLICA] || !text) return null;
  try {
    const spec = JSON.parse(text) as ReplicaSpec;
    return typeof spec.replicaId === 'string' && typeof spec.port === 'number' && typeof spec.deployment === 'string' ? spec : null;
  } catch {
    return null;
  }
}
