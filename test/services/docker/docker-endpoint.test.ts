import { describe, expect, it } from 'vitest';
import { DockerodeEngineClient } from '../../../electron/services/docker/docker-engine';
import { dockerStatusFromError } from '../../../electron/services/hardware/docker-status';
import {
  defaultDockerEndpoint,
  dockerodeOptions,
  localEngineRefusal,
  parseDockerEndpoint,
} from '../../../electron/services/docker/docker-endpoint';

describe('the Docker engine endpoint, read as the docker CLI reads DOCKER_HOST', () => {
  it('defaults to the platform socket, and DOCKER_HOST wins', () => {
    expect(defaultDockerEndpoint({}, 'linux')).toBe('unix:///var/run/docker.sock');
    expect(defaultDockerEndpoint({}, 'win32')).toBe('npipe:////./pipe/docker_engine');
    expect(defaultDockerEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, 'linux')).toBe('unix:///run/user/1000/docker.sock');
  });

  it('connects dockerode to a unix socket, a named pipe, tcp and ssh', () => {
    expect(dockerodeOptions('unix:///run/user/1000/docker.sock')).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(dockerodeOptions('npipe:////./pipe/docker_engine')).toEqual({ socketPath: '\\\\.\\pipe\\docker_engine' });
    expect(dockerodeOptions('tcp://10.0.0.5:2376')).toEqual({ host: '10.0.0.5', port: 2376, protocol: 'http' });
    expect(dockerodeOptions('tcp://10.0.0.5')).toMatchObject({ port: 2375 });
    expect(dockerodeOptions('ssh://ml@gpu-box:2222')).toEqual({ protocol: 'ssh', host: 'gpu-box', port: 2222, username: 'ml' });
  });

  it('runs jobs and replicas on a local engine only, and says why for a remote one', () => {
    expect(localEngineRefusal(parseDockerEndpoint('unix:///var/run/docker.sock'))).toBeNull();
    expect(localEngineRefusal(parseDockerEndpoint('npipe:////./pipe/docker_engine'))).toBeNull();
    for (const remote of ['tcp://10.0.0.5:2375', 'ssh://ml@gpu-box']) {
      const refusal = localEngineRefusal(parseDockerEndpoint(remote));
      expect(refusal).toContain(`DOCKER_HOST is ${remote}`);
      expect(refusal).toMatch(/mount this machine's folders and reach Orrery on 127\.0\.0\.1/);
      expect(refusal).toMatch(/Unset DOCKER_HOST/);
    }
  });
});

describe('a DOCKER_HOST that names no engine', () => {
  it('does not stop Orrery starting: the engine status says what is wrong and how to fix it', async () => {
    for (const bad of ['::::', 'tcp://', 'unix://', 'ssh://', 'ftp://host']) {
      const client = new DockerodeEngineClient({ endpoint: bad });
      const error = await client.info().then(
        () => null,
        (e: unknown) => e,
      );
      const status = dockerStatusFromError(error, { endpoint: bad, platform: 'linux', dockerInstalled: true });
      expect(status.state).toBe('unreachable');
      expect(status.message).toContain(`DOCKER_HOST is ${JSON.stringify(bad)}, which names no Docker engine`);
      expect(status.fix).toBe('unset DOCKER_HOST');
    }
  });
});
