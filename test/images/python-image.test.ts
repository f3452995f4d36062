import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { dockerAvailable } from '../helpers/requirements';

/**
 * The training image that `npm run images` builds (scripts/build-images.mjs). Without Docker these
 * tests skip loudly; without the image they skip loudly too, unless ORRERY_REQUIRE_DOCKER=1 (CI),
 * where a missing image fails with the command that builds it.
 */
const IMAGE = 'orrery/python:local';
const REQUIRED = process.env.ORRERY_REQUIRE_DOCKER === '1';
const execFileAsync = promisify(execFile);

/** Runs docker (no shell); a failure carries docker's stderr. */
async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync('docker', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as Error & { stderr?: string; code?: unknown };
    throw new Error(`docker ${args.join(' ')} failed (${String(e.code)}): ${e.stderr?.trim() || e.message}`);
  }
}

/** Null when the image exists, else why it cannot be used. */
async function imageProblem(): Promise<string | null> {
  try {
    await execFileAsync('docker', ['image', 'inspect', '--format', '{{.Id}}', IMAGE], { timeout: 15_000 });
    return null;
  } catch (error) {
    const e = error as Error & { code?: unknown };
    if (e.code === 'ENOENT') return 'the docker command is not on PATH';
    return `the image ${IMAGE} does not exist: run npm run images`;
  }
}

const haveDocker = await dockerAvailable();
const problem = haveDocker ? await imageProblem() : null;
if (haveDocker && problem !== null && !REQUIRED) {
  console.warn(`\n*** SKIPPING ${IMAGE} tests: ${problem}. Set ORRERY_REQUIRE_DOCKER=1 to make this a failure. ***\n`);
}

/** `docker run --rm --network none IMAGE python3 -c CODE`, stdout. */
function python(code: string): Promise<string> {
  return docker(['run', '--rm', '--network', 'none', IMAGE, 'python3', '-c', code]);
}

describe.skipIf(!haveDocker || (problem !== null && !REQUIRED))(`the training image ${IMAGE}`, () => {
  beforeAll(() => {
    if (problem !== null) throw new Error(`ORRERY_REQUIRE_DOCKER=1 but ${problem}`);
  });

  it('imports numpy, scikit-learn, pandas, scipy and orrery_tracking, and loads a bundled data set offline', async () => {
    const out = await python(
      'import numpy, sklearn, pandas, scipy, orrery_tracking; from sklearn.datasets import load_digits; print(load_digits().data.shape)',
    );
    expect(out.trim()).toBe('(1797, 64)');
  }, 60_000);

  it('runs as the non-root user trainer (uid 1000) in /workspace, with a writable /orrery/outputs and home', async () => {
    const out = await python(
      [
        'import os, pwd',
        'u = pwd.getpwuid(os.getuid())',
        'print(os.getuid(), os.getgid(), u.pw_name, os.environ["HOME"], os.getcwd())',
        'open("/orrery/outputs/probe.txt", "w").write("written")',
        'print(open("/orrery/outputs/probe.txt").read())',
        'open(os.path.join(os.environ["HOME"], "probe.txt"), "w").write("home")',
        'print(os.environ.get("PYTHONDONTWRITEBYTECODE"), os.environ.get("PYTHONUNBUFFERED"))',
      ].join('\n'),
    );
    expect(out.trim().split('\n')).toEqual(['1000 1000 trainer /home/trainer /workspace', 'written', '1 1']);
  }, 60_000);
});
