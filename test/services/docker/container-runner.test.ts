import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jobSpecSchema, type JobSpecInput } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import { buildContainerSpec, type ContainerSpecInput } from '../../../electron/services/training/container-spec';
import { NVIDIA_RUNTIME_FIX } from '../../../electron/services/docker/gpu-refusal';
import { ContainerRunner, type LogStream } from '../../../electron/services/docker/container-runner';
import { cpuPercentOf, memoryBytesOf } from '../../../electron/services/docker/container-stats';
import { engineMessage } from '../../../electron/services/docker/engine-errors';
import { demuxFrames, engineSince, parseEngineTimestamp, stripTimestamp } from '../../../electron/services/docker/log-frames';
import { LineSplitter } from '../../../electron/services/streams/line-splitter';
import { LABEL_JOB_ID, LABEL_MANAGED } from '../../../electron/services/training/container-spec';
import { dockerAvailable } from '../../helpers/requirements';
import { tempDir } from '../../helpers/temp-dir';

describe('LineSplitter', () => {
  function split(chunks: (string | Buffer)[], maxLineChars?: number): string[] {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line), maxLineChars);
    for (const chunk of chunks) splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    splitter.end();
    return lines;
  }

  it('joins a line split across chunks and keeps empty lines', () => {
    expect(split(['ep', 'och 1\nepoch', ' 2\n\nlast'])).toEqual(['epoch 1', 'epoch 2', '', 'last']);
  });

  it('emits nothing for an empty stream and no extra line after a final newline', () => {
    expect(split([])).toEqual([]);
    expect(split(['a\n'])).toEqual(['a']);
  });

  it('drops the \\r of \\r\\n, also when the two arrive in different chunks', () => {
    expect(split(['one\r\ntwo\r', '\nthree'])).toEqual(['one', 'two', 'three']);
  });

  it('keeps what a terminal shows of a progress bar redrawn with \\r', () => {
    expect(split(['10%|#  |\r50%|## |', '\r100%|###|\n'])).toEqual(['100%|###|']);
  });

  it('does not cut a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('loss ↓ 0.5 ✓\n');
    expect(split([bytes.subarray(0, 6), bytes.subarray(6, 7), bytes.subarray(7)])).toEqual(['loss ↓ 0.5 ✓']);
  });

  it('cuts a line without a newline that grows too long into pieces', () => {
    expect(split(['abcdefghij', 'kl\nz'], 4)).toEqual(['abcd', 'efgh', 'ijkl', 'z']);
  });
});

describe('demuxFrames', () => {
  it("splits the engine's 8-byte framed log into stdout and stderr", () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const header = Buffer.alloc(8);
      header.writeUInt8(kind, 0);
      header.writeUInt32BE(body.length, 4);
      return Buffer.concat([header, body]);
    };
    expect(demuxFrames(Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]))).toEqual({
      stdout: 'out 1\nout 2\n',
      stderr: 'err 1\n',
    });
    expect(demuxFrames(Buffer.alloc(0))).toEqual({ stdout: '', stderr: '' });
  });
});

describe("the engine's log timestamps", () => {
  it('parse to nanoseconds, with or without a fraction or a zone offset', () => {
    expect(parseEngineTimestamp('2024-05-01T10:00:00.123456789Z')).toBe(1714557600123456789n);
    expect(parseEngineTimestamp('2024-05-01T10:00:00Z')).toBe(1714557600000000000n);
    expect(parseEngineTimestamp('2024-05-01T12:00:00.5+02:00')).toBe(1714557600500000000n);
    expect(parseEngineTimestamp('hello')).toBeNull();
  });

  it('become since= as seconds.nanoseconds', () => {
    expect(engineSince(1714557600123456789n)).toBe('1714557600.123456789');
    expect(engineSince(1714557600000000005n)).toBe('1714557600.000000005');
  });

  it('are taken off the front of a frame, which is otherwise left alone', () => {
    const stripped = stripTimestamp(Buffer.from('2024-05-01T10:00:00.000000001Z epoch 1 loss 0.5\n'));
    expect(stripped.at).toBe(1714557600000000001n);
    expect(stripped.body.toString()).toBe('epoch 1 loss 0.5\n');
    expect(stripTimestamp(Buffer.from('no time here\n'))).toEqual({ at: null, body: Buffer.from('no time here\n') });
  });
});

describe('stats arithmetic (as docker stats computes it)', () => {
  it('CPU: container time over system time, times the CPUs', () => {
    const stats = {
      cpu_stats: { cpu_usage: { total_usage: 3_000_000_000 }, system_cpu_usage: 20_000_000_000, online_cpus: 4 },
      precpu_stats: { cpu_usage: { total_usage: 1_000_000_000 }, system_cpu_usage: 16_000_000_000, online_cpus: 4 },
    } as unknown as Parameters<typeof cpuPercentOf>[0];
    expect(cpuPercentOf(stats)).toBeCloseTo(200);
  });

  it('CPU: zero when there is no earlier sample (a stopped container)', () => {
    const stats = { cpu_stats: { cpu_usage: { total_usage: 0 } }, precpu_stats: { cpu_usage: { total_usage: 0 } } };
    expect(cpuPercentOf(stats as unknown as Parameters<typeof cpuPercentOf>[0])).toBe(0);
  });

  it('memory: usage less the inactive page cache, cgroup v1 and v2', () => {
    const v1 = { memory_stats: { usage: 1000, stats: { total_inactive_file: 300, inactive_file: 999 } } };
    const v2 = { memory_stats: { usage: 1000, stats: { inactive_file: 100 } } };
    const none = { memory_stats: {} };
    expect(memoryBytesOf(v1 as unknown as Parameters<typeof memoryBytesOf>[0])).toBe(700);
    expect(memoryBytesOf(v2 as unknown as Parameters<typeof memoryBytesOf>[0])).toBe(900);
    expect(memoryBytesOf(none as unknown as Parameters<typeof memoryBytesOf>[0])).toBe(0);
  });
});

describe('engineMessage', () => {
  it("prefers the engine's own words under json.message", () => {
    const error = Object.assign(new Error('(HTTP code 500) server error - boom '), { statusCode: 500, json: { message: 'boom' } });
    expect(engineMessage(error)).toBe('boom');
  });

  it("strips dockerode's prefix when there is no json (streamed requests)", () => {
    expect(engineMessage(new Error('(HTTP code 404) no such container - No such container: abc '))).toBe('No such container: abc');
  });
});

// ---------------------------------------------------------------------------------------------
// Against the real engine.

const IMAGE = 'orrery/python:local';
const REQUIRED = process.env.ORRERY_REQUIRE_DOCKER === '1';
const SUITE_LABEL = 'dev.orrery.test-suite';
const SUITE = randomUUID();
const execFileAsync = promisify(execFile);

const haveDocker = await dockerAvailable();
const docker = new Docker();
let imageProblem: string | null = null;
let engineRuntimes: string[] = [];
if (haveDocker) {
  try {
    await docker.getImage(IMAGE).inspect();
  } catch {
    imageProblem = `the image ${IMAGE} does not exist: run npm run images`;
    if (!REQUIRED) console.warn(`\n*** SKIPPING ContainerRunner engine tests: ${imageProblem}. Set ORRERY_REQUIRE_DOCKER=1 to make this a failure. ***\n`);
  }
  const info = (await docker.info()) as { Runtimes?: Record<string, unknown> };
  engineRuntimes = Object.keys(info.Runtimes ?? {});
}
const hasNvidiaRuntime = engineRuntimes.includes('nvidia');

describe.skipIf(!haveDocker || (imageProblem !== null && !REQUIRED))('ContainerRunner on the real engine', () => {
  const runner = new ContainerRunner(docker);

  beforeAll(() => {
    if (imageProblem !== null) throw new Error(`ORRERY_REQUIRE_DOCKER=1 but ${imageProblem}`);
  });

  afterEach(async () => {
    const mine = await docker.listContainers({ all: true, filters: { label: [`${SUITE_LABEL}=${SUITE}`] } });
    await Promise.all(mine.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => undefined)));
  });

  /** A container spec as the job queue would build it, with the suite's label for the clean-up. */
  function jobSpec(spec: Partial<JobSpecInput>, more: Partial<ContainerSpecInput> = {}) {
    const dir = tempDir('orrery-runner-');
    const outputs = path.join(dir, 'outputs');
    fs.mkdirSync(outputs);
    // The image runs as trainer (uid 1000); the test may run as anyone.
    fs.chmodSync(outputs, 0o777);
    const parsed = jobSpecSchema.parse({ name: 't', image: IMAGE, command: ['python3', '-c', 'pass'], ...spec });
    const paramsFile = path.join(dir, 'params.json');
    fs.writeFileSync(paramsFile, JSON.stringify(parsed.hyperparameters));
    const jobId = `job-${randomUUID()}`;
    const options = buildContainerSpec({
      jobId,
      runId: `run-${randomUUID()}`,
      experimentId: '1',
      spec: parsed,
      gpuIndices: [],
      trackingUri: 'http://127.0.0.1:1',
      trackingToken: 'test-token',
      outputsHostDir: outputs,
      paramsHostFile: paramsFile,
      ...more,
    });
    options.Labels = { ...options.Labels, [SUITE_LABEL]: SUITE };
    return { options, jobId, outputs, dir };
  }

  const python = (code: string, spec: Partial<JobSpecInput> = {}, more: Partial<ContainerSpecInput> = {}) =>
    jobSpec({ command: ['python3', '-c', code], ...spec }, more);

  /** Starts, follows the logs, waits; every line by stream. */
  async function run(options: Docker.ContainerCreateOptions) {
    const { containerId, imageDigest } = await runner.start(options);
    const lines: { stream: LogStream; line: string }[] = [];
    const follower = runner.followLogs(containerId, (stream, line) => lines.push({ stream, line }));
    const exit = await runner.wait(containerId);
    expect(await follower.done).toBeNull();
    const of = (stream: LogStream) => lines.filter((l) => l.stream === stream).map((l) => l.line);
    return { containerId, imageDigest, exit, stdout: of('stdout'), stderr: of('stderr') };
  }

  /** mkdtemp makes 0700 folders; the image's user (trainer, uid 1000) must be able to read them. */
  function readableTempDir(prefix: string): string {
    const dir = tempDir(prefix);
    fs.chmodSync(dir, 0o755);
    return dir;
  }

  async function refusal(promise: Promise<unknown>): Promise<OrreryError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(OrreryError);
      return error as OrreryError;
    }
    throw new Error('expected the runner to refuse');
  }

  async function containersOfJob(jobId: string): Promise<Docker.ContainerInfo[]> {
    return docker.listContainers({ all: true, filters: { label: [`dev.orrery.job-id=${jobId}`] } });
  }

  it('runs a job: params in the env and the file, stdout and stderr apart, exit code 0, the image digest', async () => {
    const job = python(
      [
        'import os, json, sys',
        "print(json.loads(os.environ['ORRERY_PARAMS'])['lr'])",
        "print('err', file=sys.stderr)",
        "print(json.load(open('/orrery/params.json'))['epochs'])",
        "open('/orrery/outputs/model.txt', 'w').write('weights')",
      ].join('\n'),
      { hyperparameters: { lr: 0.01, epochs: 3 } },
    );
    const started = Date.now();
    const result = await run(job.options);
    expect(result.stdout).toEqual(['0.01', '3']);
    expect(result.stderr).toEqual(['err']);
    expect(result.exit).toEqual({ exitCode: 0, oomKilled: false, finishedAt: expect.any(Number), error: null });
    expect(result.exit.finishedAt!).toBeGreaterThanOrEqual(started - 5000);
    expect(result.exit.finishedAt!).toBeLessThanOrEqual(Date.now() + 5000);
    expect(fs.readFileSync(path.join(job.outputs, 'model.txt'), 'utf8')).toBe('weights');
    const image = await docker.getImage(IMAGE).inspect();
    expect(result.imageDigest).toBe(image.RepoDigests?.[0] ?? image.Id);
    expect(result.imageDigest).toMatch(/sha256:[0-9a-f]{64}$/);
  }, 60_000);

  it('passes hyperparameters as --key=value arguments when asked', async () => {
    const job = python('import sys; print(sys.argv[1:])', { hyperparameters: { lr: 0.5, opt: 'sgd' }, passHyperparametersAsArgs: true });
    expect((await run(job.options)).stdout).toEqual(["['--lr=0.5', '--opt=sgd']"]);
  }, 60_000);

  it('reports exit code 3', async () => {
    const result = await run(python('import sys; print("bye"); sys.exit(3)').options);
    expect(result.stdout).toEqual(['bye']);
    expect(result.exit).toMatchObject({ exitCode: 3, oomKilled: false, error: null });
  }, 60_000);

  it('reports an OOM kill when the job outgrows its memory limit', async () => {
    const job = python("x = b'x' * (500 * 1024 * 1024)\nprint('survived')", { resources: { memoryGb: 0.05, gpus: 0 } });
    const result = await run(job.options);
    expect(result.stdout).not.toContain('survived');
    expect(result.exit.oomKilled).toBe(true);
    expect(result.exit.exitCode).toBe(137);
  }, 60_000);

  it('refuses an image that is not on this machine, listing the local ones, and creates nothing', async () => {
    const job = python('pass', { image: 'orrery/no-such-image:nope' });
    const error = await refusal(runner.start(job.options));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('orrery/no-such-image:nope is not on this machine');
    expect(error.message).toContain(IMAGE);
    expect(await containersOfJob(job.jobId)).toEqual([]);
  });

  it('refuses a command that is not in the image, in the words runc uses, and leaves no container', async () => {
    const onPath = jobSpec({ command: ['no-such-program', '--x'] });
    const error = await refusal(runner.start(onPath.options));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain('exec: "no-such-program": executable file not found in $PATH');
    expect(await containersOfJob(onPath.jobId)).toEqual([]);

    const absolute = jobSpec({ command: ['/usr/bin/no-such-program'] });
    expect((await refusal(runner.start(absolute.options))).message).toContain('stat /usr/bin/no-such-program: no such file or directory');
    expect(await containersOfJob(absolute.jobId)).toEqual([]);

    const relative = jobSpec({ command: ['./train.sh'], workingDir: '/workspace' });
    expect((await refusal(runner.start(relative.options))).message).toContain('stat /workspace/train.sh: no such file or directory');
  }, 60_000);

  it('without an init the engine itself refuses a missing command, and its message is passed on', async () => {
    const job = jobSpec({ command: ['no-such-program'] });
    job.options.HostConfig = { ...job.options.HostConfig, Init: false };
    // A PATH of relative folders only: the runner's own look-up leaves that to the engine.
    job.options.Env = [...(job.options.Env ?? []), 'PATH=bin'];
    const error = await refusal(runner.start(job.options));
    expect(error.message).toMatch(/^Docker could not start the container for orrery\/python:local: .*OCI runtime create failed/);
    expect(error.message).toMatch(/exec: "no-such-program": executable file not found in \$PATH/);
    expect(await containersOfJob(job.jobId)).toEqual([]);
  }, 60_000);

  it('finds a command in a mounted workspace, absolute or relative to the working directory', async () => {
    const workspace = readableTempDir('orrery-ws-');
    fs.writeFileSync(path.join(workspace, 'train.sh'), '#!/bin/sh\necho "trained $1"\n', { mode: 0o755 });
    const mounts = [{ source: workspace, target: '/ws', kind: 'workspace' as const }];
    expect((await run(jobSpec({ command: ['/ws/train.sh', 'a'], mounts }).options)).stdout).toEqual(['trained a']);
    expect((await run(jobSpec({ command: ['./train.sh', 'b'], mounts, workingDir: '/ws' }).options)).stdout).toEqual(['trained b']);
  }, 60_000);

  it("a command that exists but cannot be executed: exit 126 and docker-init's reason", async () => {
    const workspace = readableTempDir('orrery-ws-');
    fs.writeFileSync(path.join(workspace, 'train.sh'), '#!/bin/sh\necho never\n', { mode: 0o644 });
    const job = jobSpec({ command: ['/ws/train.sh'], mounts: [{ source: workspace, target: '/ws', kind: 'dataset' }] });
    const result = await run(job.options);
    expect(result.exit.exitCode).toBe(126);
    expect(result.exit.error).toBe('exec /ws/train.sh failed: Permission denied');
  }, 60_000);

  it.skipIf(hasNvidiaRuntime)('a GPU request on an engine without the NVIDIA runtime: a plain refusal, nothing left behind', async () => {
    const job = python('pass', { resources: { gpus: [0] } }, { gpuIndices: [0] });
    const error = await refusal(runner.start(job.options));
    expect(error.code).toBe('UNAVAILABLE');
    expect(error.message).toContain('no NVIDIA runtime');
    expect(error.message).toContain(NVIDIA_RUNTIME_FIX);
    expect(await containersOfJob(job.jobId)).toEqual([]);
    expect((await runner.list({ [LABEL_MANAGED]: 'true' })).filter((c) => c.labels[LABEL_JOB_ID] === job.jobId)).toEqual([]);
  }, 60_000);

  it('a container killed from outside (docker kill) is reported as exit code 137, not an OOM', async () => {
    const job = python('import time\nprint("ready", flush=True)\ntime.sleep(300)');
    const { containerId } = await runner.start(job.options);
    const waiting = runner.wait(containerId);
    await execFileAsync('docker', ['kill', containerId], { timeout: 30_000 });
    expect(await waiting).toMatchObject({ exitCode: 137, oomKilled: false, error: null });
  }, 60_000);

  it('stop() sends SIGTERM through the init to the script, which ends at once (143)', async () => {
    const job = python('import time\ntime.sleep(300)');
    const { containerId } = await runner.start(job.options);
    const started = Date.now();
    await runner.stop(containerId, 20);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await runner.wait(containerId)).exitCode).toBe(143);
    await runner.stop(containerId, 1); // already stopped: fine
    await runner.remove(containerId);
    await runner.remove(containerId); // already gone: fine
    expect(await containersOfJob(job.jobId)).toEqual([]);
  }, 60_000);

  it('stop() kills a script that ignores SIGTERM after the grace period', async () => {
    const job = python('import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint("ready", flush=True)\ntime.sleep(300)');
    const { containerId } = await runner.start(job.options);
    const lines: string[] = [];
    const follower = runner.followLogs(containerId, (_stream, line) => lines.push(line));
    await expect.poll(() => lines, { timeout: 15_000 }).toContain('ready');
    const started = Date.now();
    await runner.stop(containerId, 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await runner.wait(containerId)).exitCode).toBe(137);
    await follower.done;
  }, 60_000);

  it('sets the security options, limits, network and labels on the engine', async () => {
    const job = python(
      [
        'import re, os',
        "status = open('/proc/self/status').read()",
        "print(re.search(r'NoNewPrivs:\\s*(\\d)', status).group(1))",
        "print(re.search(r'CapEff:\\s*(\\w+)', status).group(1))",
        "print(open('/sys/fs/cgroup/pids/pids.max').read().strip() if os.path.exists('/sys/fs/cgroup/pids/pids.max') else open('/sys/fs/cgroup/pids.max').read().strip())",
      ].join('\n'),
      { resources: { cpus: 1.5, memoryGb: 0.5, shmGb: 0.25, gpus: 0 } },
    );
    const result = await run(job.options);
    expect(result.stdout).toEqual(['1', '0000000000000000', '4096']);

    const info = await docker.getContainer(result.containerId).inspect();
    const host = info.HostConfig;
    expect(host.NetworkMode).toBe('host');
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.PidsLimit).toBe(4096);
    expect(host.NanoCpus).toBe(1_500_000_000);
    expect(host.Memory).toBe(512 * 1024 * 1024);
    expect(host.MemorySwap).toBe(512 * 1024 * 1024);
    expect(host.ShmSize).toBe(256 * 1024 * 1024);
    expect(host.Init).toBe(true);
    expect(host.AutoRemove).toBe(false);
    expect(info.Config.Labels).toMatchObject({ 'dev.orrery.job-id': job.jobId, 'dev.orrery.managed': 'true', 'dev.orrery.experiment-id': '1' });
    expect(info.Config.Labels['dev.orrery.run-id']).toMatch(/^run-/);
    const mounts = info.Mounts.map((m) => ({ destination: m.Destination, rw: m.RW })).sort((a, b) => a.destination.localeCompare(b.destination));
    expect(mounts).toEqual([
      { destination: '/orrery/outputs', rw: true },
      { destination: '/orrery/params.json', rw: false },
    ]);
  }, 60_000);

  it('mounts datasets read-only', async () => {
    const data = readableTempDir('orrery-data-');
    fs.writeFileSync(path.join(data, 'train.csv'), 'a,b\n1,2\n');
    const job = python(
      [
        "print(open('/data/train.csv').read().splitlines()[1])",
        'try:',
        "    open('/data/new.csv', 'w')",
        'except OSError as e:',
        '    print(e.strerror)',
      ].join('\n'),
      { mounts: [{ source: data, target: '/data' }] },
    );
    expect((await run(job.options)).stdout).toEqual(['1,2', 'Read-only file system']);
  }, 60_000);

  it('follows logs: a line written in pieces arrives whole, the last line needs no newline, since skips the past', async () => {
    const job = python(
      [
        'import sys, time',
        "sys.stdout.write('abc'); sys.stdout.flush(); time.sleep(0.3)",
        "sys.stdout.write('def\\nsecond'); sys.stdout.flush(); time.sleep(0.3)",
        "sys.stdout.write(' line\\nno newline at the end')",
      ].join('\n'),
    );
    const result = await run(job.options);
    expect(result.stdout).toEqual(['abcdef', 'second line', 'no newline at the end']);

    // Reattaching after the container finished: all of it again, or nothing since it finished.
    const again: string[] = [];
    const all = runner.followLogs(result.containerId, (_s, line) => again.push(line));
    expect(await all.done).toBeNull();
    expect(again).toEqual(result.stdout);
    const later: string[] = [];
    const since = runner.followLogs(result.containerId, (_s, line) => later.push(line), result.exit.finishedAt! + 1000);
    expect(await since.done).toBeNull();
    expect(later).toEqual([]);
  }, 60_000);

  it('follows logs: many lines, none lost or repeated; a last line without newline arrives though the engine ends the stream early', async () => {
    // dockerd 20.10 may end a followed stream before it sends an unterminated last line (the
    // docker CLI loses it too); the runner reads what came after its last message again.
    const jobs = Array.from({ length: 4 }, () =>
      python("import sys, time\ntime.sleep(0.5)\nfor i in range(5000): print(i)\nsys.stdout.write('tail without newline')"),
    );
    const results = await Promise.all(jobs.map((job) => run(job.options)));
    const expected = [...Array.from({ length: 5000 }, (_, i) => String(i)), 'tail without newline'];
    for (const result of results) {
      expect(result.stdout.length).toBe(expected.length);
      expect(result.stdout).toEqual(expected);
    }
  }, 60_000);

  it('stops following when asked: no line after the stop', async () => {
    const job = python('import time, itertools\nfor i in itertools.count():\n    print(i)\n    time.sleep(0.02)');
    const { containerId } = await runner.start(job.options);
    const lines: string[] = [];
    const follow = runner.followLogs(containerId, (_s, line) => lines.push(line));
    await expect.poll(() => lines.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(5);
    follow();
    expect(await follow.done).toBeNull();
    const count = lines.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(lines.length).toBe(count);
    expect(lines.slice(0, 5)).toEqual(['0', '1', '2', '3', '4']);
  }, 60_000);

  it('a follower on a container that does not exist ends with the error, not a throw', async () => {
    const follow = runner.followLogs('0'.repeat(64), () => undefined);
    expect((await follow.done)?.message).toMatch(/No such container/i);
  });

  it('stats: CPU and memory of a busy job, zeros once it stopped', async () => {
    const job = python("x = bytearray(64 * 1024 * 1024)\nfor i in range(len(x) // 4096): x[i * 4096] = 1\nprint('ready', flush=True)\nwhile True: pass", {
      resources: { cpus: 1, gpus: 0 },
    });
    const { containerId } = await runner.start(job.options);
    const lines: string[] = [];
    runner.followLogs(containerId, (_s, line) => lines.push(line));
    await expect.poll(() => lines, { timeout: 15_000 }).toContain('ready');
    const busy = await runner.stats(containerId);
    expect(busy.cpuPercent).toBeGreaterThan(20);
    expect(busy.cpuPercent).toBeLessThan(150); // limited to one CPU
    expect(busy.memoryBytes).toBeGreaterThan(60 * 1024 * 1024);
    await runner.stop(containerId, 0);
    await runner.wait(containerId);
    expect(await runner.stats(containerId)).toEqual({ cpuPercent: 0, memoryBytes: 0 });
  }, 60_000);

  it('list(labels): finished and running containers carrying the labels, with their state and exit code', async () => {
    const done = python('import sys; sys.exit(3)');
    const finished = await run(done.options);
    const live = python('import time; time.sleep(300)');
    const { containerId: running } = await runner.start(live.options);

    const managed = await runner.list({ [LABEL_MANAGED]: 'true' });
    const exited = managed.find((c) => c.containerId === finished.containerId);
    expect(exited).toMatchObject({
      labels: expect.objectContaining({ [LABEL_JOB_ID]: done.jobId, 'dev.orrery.experiment-id': '1' }),
      image: IMAGE,
      state: 'exited',
      exitCode: 3,
      oomKilled: false,
      finishedAt: finished.exit.finishedAt,
    });
    expect(exited!.labels['dev.orrery.run-id']).toMatch(/^run-/);
    expect(exited!.labels['dev.orrery.managed']).toBe('true');
    expect(exited!.startedAt).toEqual(expect.any(Number));
    expect(managed.find((c) => c.containerId === running)).toMatchObject({ labels: expect.objectContaining({ [LABEL_JOB_ID]: live.jobId }), state: 'running', exitCode: null, finishedAt: null });
    // Only containers carrying the label asked for.
    for (const container of managed) expect(container.labels['dev.orrery.managed']).toBe('true');
    const ofOneJob = await runner.list({ [LABEL_JOB_ID]: live.jobId });
    expect(ofOneJob.map((c) => c.containerId)).toEqual([running]);
  }, 60_000);

  it('wait() on a container that is already gone says so', async () => {
    const error = await refusal(runner.wait('0'.repeat(64)));
    expect(error.code).toBe('NOT_FOUND');
  });
});
