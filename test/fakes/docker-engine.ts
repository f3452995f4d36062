import type { DockerEngineClient } from '../../electron/services/docker/docker-engine';

/** An engine that is not there: every call fails as a missing socket does. */
export function offlineDockerEngine(endpoint = 'unix:///nonexistent/docker.sock'): DockerEngineClient {
  return {
    endpoint,
    info: () => Promise.reject(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' })),
    apiVersion: async () => null,
  };
}

/** An engine that answers /info with `info` (a captured `docker info`, see test/fixtures/hardware). */
export function answeringDockerEngine(info: Record<string, unknown>, apiVersion: string | null = '1.41', endpoint = 'unix:///var/run/docker.sock'): DockerEngineClient {
  return { endpoint, info: async () => info, apiVersion: async () => apiVersion };
}
