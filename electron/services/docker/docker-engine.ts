import Docker from 'dockerode';
import { defaultDockerEndpoint, dockerodeOptions, parseDockerEndpoint, type DockerEndpoint } from './docker-endpoint';

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
  private readonly docker: Docker;
  readonly endpoint: string;

  constructor(options: { endpoint?: string; timeoutMs?: number } = {}) {
    const connected = connectDocker({ uri: options.endpoint, timeoutMs: options.timeoutMs ?? 5000 });
    this.docker = connected.docker;
    this.endpoint = connected.endpoint.uri;
  }

  async info(): Promise<Record<string, unknown>> {
    return (await this.docker.info()) as Record<string, unknown>;
  }

  async apiVersion(): Promise<string | null> {
    const version = (await this.docker.version()) as { ApiVersion?: string };
    return version.ApiVersion ?? null;
  }
}
