import { describe, expect, it } from 'vitest';
import { DockerLauncher } from '../../../electron/services/training/docker-launcher';
import { ProcessLauncher } from '../../../electron/services/training/process-launcher';
import { RefusedLauncher } from '../../../electron/services/training/refused-launcher';
import { chooseLauncher } from '../../../electron/services/training/training-area';
import { jobSpecSchema } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';

const spec = jobSpecSchema.parse({ name: 'train', image: 'orrery/python:local', command: ['python3', 'train.py'] });

async function refusalOf(launcher: { validate(s: typeof spec): Promise<void> }): Promise<OrreryError> {
  const error = await launcher.validate(spec).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OrreryError);
  return error as OrreryError;
}

describe('which launcher runs jobs, by DOCKER_HOST and whether its engine answers', () => {
  it('a remote engine refuses every job with why, whether or not it answers: nothing runs on the host instead', async () => {
    for (const remote of ['tcp://10.0.0.5:2375', 'ssh://ml@gpu-box']) {
      for (const answers of [true, false]) {
        const launcher = chooseLauncher(remote, answers);
        expect(launcher).toBeInstanceOf(RefusedLauncher);
        const error = await refusalOf(launcher);
        expect(error.code).toBe('UNAVAILABLE');
        expect(error.message).toContain(`DOCKER_HOST is ${remote}, a remote Docker engine`);
        expect(await launcher.reattach('c0ffee', 0)).toBeNull();
      }
    }
  });

  it('a DOCKER_HOST that names no engine refuses jobs and says how to write one', async () => {
    for (const bad of ['::::', 'tcp://', 'unix://', 'ssh://']) {
      const error = await refusalOf(chooseLauncher(bad, false));
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(`DOCKER_HOST is ${JSON.stringify(bad)}, which names no Docker engine`);
      expect(error.message).toMatch(/unix:\/\/\/path\/to\/docker\.sock/);
    }
  });

  it('a local engine: Docker when it answers, a plain process when none does', () => {
    expect(chooseLauncher('unix:///var/run/docker.sock', true)).toBeInstanceOf(DockerLauncher);
    expect(chooseLauncher('unix:///var/run/docker.sock', false)).toBeInstanceOf(ProcessLauncher);
  });
});
