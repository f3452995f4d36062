import { describe, expect, it } from 'vitest';
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
  it('a remote engine refuses every container job with why, whether or not it answers: nothing meant for a container runs on the host instead', async () => {
    for (const remote of ['tcp://10.0.0.5:2375', 'ssh://ml@gpu-box']) {
      for (const answers of [true, false]) {
        const launcher = chooseLauncher(remote, answers);
        expect(launcher.kind).toBe('docker');
        for (const asked of [spec, { ...spec, runner: 'docker' as const }]) {
          const error = await refusalOf({ validate: () => launcher.validate(asked) });
          expect(error.code).toBe('UNAVAILABLE');
          expect(error.message).toContain(`DOCKER_HOST is ${remote}, a remote Docker engine`);
        }
        expect(await launcher.reattach('c0ffee', 0, 'docker')).toBeNull();
        // A job that asks for the host never uses that engine: it is not refused.
        await expect(launcher.validate({ ...spec, runner: 'process' })).resolves.toBeUndefined();
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

  it('a local engine: Docker by default when it answers, a plain process when none does; a Docker job is refused without one', async () => {
    expect(chooseLauncher('unix:///var/run/docker.sock', true).kind).toBe('docker');
    const noEngine = chooseLauncher('unix:///var/run/docker.sock', false);
    expect(noEngine.kind).toBe('process');
    await expect(noEngine.validate(spec)).resolves.toBeUndefined();
    const error = await refusalOf({ validate: () => noEngine.validate({ ...spec, runner: 'docker' }) });
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toBe(
      "spec.runner: no Docker engine answered at unix:///var/run/docker.sock when Orrery started; use runner 'process', or start Docker and restart Orrery.",
    );
  });
});
