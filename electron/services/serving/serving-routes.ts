/**
 * What the serving area and the gateway (electron/server/gateway/) say to each other. The area
 * owns deployments and decides weights; the gateway only routes by the table it is given and
 * reports what it saw, so it can be tested with plain HTTP upstreams.
 */

/** One ready replica a request may go to. */
export interface UpstreamReplica {
  replicaId: string;
  version: number;
  /** Always 127.0.0.1: replicas listen on loopback with the host network. */
  host: string;
  port: number;
}

export interface RouteVersion {
  version: number;
  /** Share of traffic in percent, 0–100. A version with weight 0 is reached only when pinned. */
  weight: number;
  /** Ready replicas only; round robin among them. */
  replicas: UpstreamReplica[];
}

export interface DeploymentRoutes {
  name: string;
  /** The stable port the gateway listens on for this deployment. */
  port: number;
  /** false: the deployment is stopped; the listener answers 503 with a JSON error. */
  serving: boolean;
  /** null: no token needed; else callers send `Authorization: Bearer <token>`. */
  token: string | null;
  /** A request longer than this is answered 504 by the gateway (the model server times out too). */
  timeoutMs: number;
  /** A body over this is answered 413 without being forwarded. */
  maxBodyBytes: number;
  /** Whether request and response bodies are handed to observe() for the request log. */
  logRequests: boolean;
  versions: RouteVersion[];
  /** A copy of `share` percent of requests goes here after the caller's answer is sent. */
  shadow: { version: number; share: number; replicas: UpstreamReplica[] } | null;
}

/** One answered request, reported after the response has been sent. */
export interface RequestObservation {
  deployment: string;
  version: number;
  replicaId: string;
  requestId: string;
  at: number;
  status: number;
  latencyMs: number;
  /** The model's predict raised: the model server marks these (X-Orrery-Model-Error: 1) though MLflow answers 400. */
  modelError: boolean;
  /** Whether the gateway timed the request out (status 504) or could not reach the replica (502). */
  upstreamFailure: boolean;
  /** Set only when the deployment logs requests: the bodies as sent, each possibly cut at the log's cap. */
  request?: { contentType: string; body: Buffer; bytes: number };
  response?: { body: Buffer; bytes: number };
}

/** A shadow's answer to a copied request, beside the answer the caller got. */
export interface ShadowObservation {
  deployment: string;
  version: number;
  requestId: string;
  at: number;
  status: number;
  latencyMs: number;
  /** The primary's latency for the same request. */
  primaryLatencyMs: number;
  primaryStatus: number;
  primaryBody: Buffer;
  shadowBody: Buffer;
  modelError: boolean;
}

/** What the gateway needs from the serving area. */
export interface RouteSource {
  routes(): DeploymentRoutes[];
  /** Called when routes change (a deployment created, weights moved, a replica ready or gone). */
  onRoutesChanged(listener: () => void): () => void;
  observe(observation: RequestObservation): void;
  observeShadow(observation: ShadowObservation): void;
}
