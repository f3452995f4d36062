import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { ContainerRunner } from '../../../electron/services/docker/container-runner';
import { localEngineRefusal, parseDockerEndpoint } from '../../../electron/services/docker/docker-endpoint';
import { DockerLauncher } from '../../../electron/services/training/docker-launcher';
import { jobSpecSchema } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';

/** An engine that records whether anything was asked of it. */
function recordingEngine(calls: string[]): Docker {
  const record = (name: string) => () => {
    calls.push(name);
    return Promise.reject(new Error(`${name} should not be called`));
  };
  return {
    getImage: () => ({ inspect: record('getImage.inspect') }),
    listImages: record('listImages'),
    createContainer: record('createContainer'),
  } as unknown as Docker;
}

describe('training on a remote engine (DOCKER_HOST=tcp:// or ssh://)', () => {
  it('refuses a job at submit with why and what to do, and never reaches the engine', async () => {
    const calls: string[] = [];
    const engine = recordingEngine(calls);
    const refusal = localEngineRefusal(parseDockerEndpoint('tcp://10.0.0.5:2375'));
    const launcher = new DockerLauncher(new ContainerRunner(engine), engine, refusal);
    const spec = jobSpecSchema.parse({ name: 'train', image: 'orrery/python:local', command: ['python3', 'train.py'] });
    const error = await launcher.validate(spec).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OrreryError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect((error as Error).message).toContain('DOCKER_HOST is tcp://10.0.0.5:2375, a remote Docker engine');
    expect(calls).toEqual([]);
  });
});
