import Docker from 'dockerode';

/** The slice of the Docker engine API the hardware service reads. */
export interface DockerEngineClient {
  /** Where the engine is expected, for messages ("unix:///var/run/docker.sock"). */
  readonly endpoint: string;
  info(): Promise<Record<string, unknown>>;
  apiVersion(): Promise<string | null>;
}

export function defaultDockerEndpoint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

/** The real engine through dockerode; a short timeout so a hung daemon cannot stall the UI. */
export class DockerodeEngineClient implements DockerEngineClient {
  private readonly docker: Docker;
  readonly endpoint: string;

  constructor(options: { endpoint?: string; timeoutMs?: number } = {}) {
    this.endpoint = options.endpoint ?? defaultDockerEndpoint(process.env, process.platform);
    this.docker = new Docker({ ...endpointToOptions(this.endpoint), timeout: options.timeoutMs ?? 5000 });
  }

  async info(): Promise<Record<string, unknown>> {
    return (await this.docker.info()) as Record<string, unknown>;
  }

  async apiVersion(): Promise<string | null> {
    const version = (await this.docker.version()) as { ApiVersion?: string };
    return version.ApiVersion ?? null;
  }
}

function endpointToOptions(endpoint: string): Docker.DockerOptions {
  if (endpoint.startsWith('unix://')) return { socketPath: endpoint.slice('unix://'.length) };
  if (endpoint.startsWith('npipe://')) return { socketPath: endpoint.slice('npipe://'.length).replaceAll('/', '\\') };
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http' };
}
