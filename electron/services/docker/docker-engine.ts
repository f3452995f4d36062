import Docker from 'dockerode';
import { defaultDockerEndpoint, dockerodeOptions, endpointProblem, parseDockerEndpoint, type DockerEndpoint } from './docker-endpoint';

/** The engine as DOCKER_HOST names it: the one place a dockerode client is built. */
export function connectDocker(options: { uri?: string; timeoutMs?: number } = {}): { docker: Docker; endpoint: DockerEndpoint } {
  const endpoint = parseDockerEndpoint(options.uri ?? defaultDockerEndpoint(process.env, process.platform));
  // dockerode's timeout is a socket idle timeout: fine for a status read, wrong for waiting on a
  // container or following its logs, which sit idle for as long as the container runs.
  const docker = new Docker({ ...dockerodeOptions(endpoint.uri), ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}) });
  return { docker, endpoint };
}

/** The slice of the Docker engine API the hardware overview reads. */
export interface DockerEngineClient {
  /** Where the engine is expected, for messages ("unix:///var/run/docker.sock"). */
  readonly endpoint: string;
  info(): Promise<Record<string, unknown>>;
  apiVersion(): Promise<string | null>;
}

/** The real engine through dockerode; a short timeout so a hung daemon cannot stall the UI. */
export class DockerodeEngineClient implements DockerEngineClient {
  private readonly docker: Docker | null;
  /** Why DOCKER_HOST names no engine: every call fails with it, and the app still starts. */
  private readonly problem: Error | null;
  readonly endpoint: string;

  constructor(options: { endpoint?: string; timeoutMs?: number } = {}) {
    this.endpoint = options.endpoint ?? defaultDockerEndpoint(process.env, process.platform);
    const problem = endpointProblem(this.endpoint);
    this.problem = problem === null ? null : Object.assign(new Error(problem), { code: BAD_DOCKER_HOST });
    this.docker = problem === null ? connectDocker({ uri: this.endpoint, timeoutMs: options.timeoutMs ?? 5000 }).docker : null;
  }

  async info(): Promise<Record<string, unknown>> {
    return (await this.engine().info()) as Record<string, unknown>;
  }

  async apiVersion(): Promise<string | null> {
    const version = (await this.engine().version()) as { ApiVersion?: string };
    return version.ApiVersion ?? null;
  }

  private engine(): Docker {
    if (this.docker === null) throw this.problem;
    return this.docker;
  }
}

/** The error code of a DOCKER_HOST that names no engine (the status says so instead of "start Docker"). */
export const BAD_DOCKER_HOST = 'ORRERY_BAD_DOCKER_HOST';
