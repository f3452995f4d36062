import type Docker from 'dockerode';

/**
 * Where the Docker engine listens, read as the docker CLI reads it: DOCKER_HOST, else the platform's
 * default socket. `local` engines (a unix socket or a Windows named pipe) share this machine's
 * folders and loopback; `remote` ones (tcp://, ssh://) do not.
 */
export interface DockerEndpoint {
  /** As the user wrote it, for messages ("unix:///var/run/docker.sock", "ssh://gpu-box"). */
  readonly uri: string;
  readonly location: 'local' | 'remote';
}

export function defaultDockerEndpoint(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (env.DOCKER_HOST) return env.DOCKER_HOST;
  return platform === 'win32' ? 'npipe:////./pipe/docker_engine' : 'unix:///var/run/docker.sock';
}

export function parseDockerEndpoint(uri: string): DockerEndpoint {
  const local = uri.startsWith('unix://') || uri.startsWith('npipe://');
  return { uri, location: local ? 'local' : 'remote' };
}

/** Why DOCKER_HOST names no engine Orrery can connect to, or null when it does. */
export function endpointProblem(uri: string): string | null {
  try {
    dockerodeOptions(uri);
    return null;
  } catch (error) {
    return (
      `DOCKER_HOST is ${JSON.stringify(uri)}, which names no Docker engine (${error instanceof Error ? error.message : String(error)}). ` +
      'Use unix:///path/to/docker.sock, npipe:////./pipe/docker_engine, tcp://host:port or ssh://user@host, or unset it.'
    );
  }
}

/**
 * Why jobs and model replicas cannot use this engine, or null when they can. They bind-mount this
 * machine's folders and reach Orrery on 127.0.0.1, which a remote engine's containers cannot.
 */
export function localEngineRefusal(endpoint: DockerEndpoint): string | null {
  const problem = endpointProblem(endpoint.uri);
  if (problem !== null) return problem;
  if (endpoint.location === 'local') return null;
  return (
    `DOCKER_HOST is ${endpoint.uri}, a remote Docker engine. Orrery runs training jobs and model replicas only on ` +
    "a local engine for now, because their containers mount this machine's folders and reach Orrery on 127.0.0.1. " +
    'Unset DOCKER_HOST (or point it at unix:///var/run/docker.sock) and restart Orrery.'
  );
}

/** dockerode's connection options for an endpoint URI. */
export function dockerodeOptions(uri: string): Docker.DockerOptions {
  if (uri.startsWith('unix://') || uri.startsWith('npipe://')) {
    const socket = uri.startsWith('unix://') ? uri.slice('unix://'.length) : uri.slice('npipe://'.length).replaceAll('/', '\\');
    if (socket === '') throw new Error('the socket path is empty');
    return { socketPath: socket };
  }
  if (uri.startsWith('ssh://')) {
    const url = new URL(uri);
    if (url.hostname === '') throw new Error('no host');
    return {
      protocol: 'ssh',
      host: url.hostname,
      port: Number(url.port || 22),
      ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    } as Docker.DockerOptions;
  }
  if (!/^(tcp|http|https):\/\//.test(uri)) throw new Error('unknown scheme: expected unix, npipe, tcp or ssh');
  const url = new URL(uri.replace(/^tcp:/, 'http:'));
  if (url.hostname === '') throw new Error('no host');
  return { host: url.hostname, port: Number(url.port || 2375), protocol: url.protocol === 'https:' ? 'https' : 'http' };
}
