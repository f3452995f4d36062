import type { DeploymentRoutes, UpstreamReplica } from '../../services/serving/serving-routes';

/** One version the gateway can send requests to, with its round-robin position. */
export interface VersionTarget {
  version: number;
  weight: number;
  replicas: UpstreamReplica[];
  /** Smooth weighted round robin credit (nginx's algorithm). */
  current: number;
  /** Next replica index, round robin. */
  next: number;
}

/**
 * The routing decisions of one deployment. Versions are chosen by smooth weighted round robin, so
 * 10/90 weights give exactly 10 and 90 of every 100 requests, evenly spread (a canary's analysis
 * sees its share from the first requests, not after luck evens out). Only versions with a ready
 * replica take part; a version with weight 0 is reached only when pinned.
 */
export class RouteTable {
  private readonly byVersion = new Map<number, VersionTarget>();
  private readonly weighted: VersionTarget[] = [];
  private totalWeight = 0;
  readonly shadow: VersionTarget | null;
  /** Versions a caller may pin, ascending, for error messages. */
  readonly servedVersions: number[];

  constructor(routes: DeploymentRoutes, previous?: RouteTable) {
    for (const v of routes.versions) {
      const before = previous?.byVersion.get(v.version);
      const target: VersionTarget = { version: v.version, weight: v.weight, replicas: v.replicas, current: before?.current ?? 0, next: before?.next ?? 0 };
      this.byVersion.set(v.version, target);
      if (v.weight > 0 && v.replicas.length > 0) {
        this.weighted.push(target);
        this.totalWeight += v.weight;
      }
    }
    const shadow = routes.shadow;
    this.shadow = shadow ? { version: shadow.version, weight: 0, replicas: shadow.replicas, current: 0, next: previous?.shadow?.next ?? 0 } : null;
    // A shadow version may be pinned too: that is how one tries a shadow candidate by hand.
    if (this.shadow && !this.byVersion.has(this.shadow.version)) this.byVersion.set(this.shadow.version, this.shadow);
    this.servedVersions = [...this.byVersion.keys()].sort((a, b) => a - b);
  }

  /** The next version by weight, or null when no weighted version has a ready replica. */
  pick(): VersionTarget | null {
    const list = this.weighted;
    if (list.length === 0) return null;
    if (list.length === 1) return list[0]!;
    let best = list[0]!;
    for (const target of list) {
      target.current += target.weight;
      if (target.current > best.current) best = target;
    }
    best.current -= this.totalWeight;
    return best;
  }

  pinned(version: number): VersionTarget | undefined {
    return this.byVersion.get(version);
  }
}

/** The next replica of a version, round robin; null when it has none ready. */
export function nextReplica(target: VersionTarget): UpstreamReplica | null {
  const replicas = target.replicas;
  if (replicas.length === 0) return null;
  const replica = replicas[target.next % replicas.length]!;
  target.next = (target.next + 1) % replicas.length;
  return replica;
}

/** Another ready replica of the same version than `failed`, for one retry; null when there is none. */
export function otherReplica(target: VersionTarget, failed: UpstreamReplica): UpstreamReplica | null {
  for (let i = 0; i < target.replicas.length; i++) {
    const replica = nextReplica(target);
    if (replica && replica.replicaId !== failed.replicaId) return replica;
  }
  return null;
}
