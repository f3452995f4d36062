import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ExecFileCommandRunner } from '../../../electron/services/hardware/command-runner';
import { sampleQueryArgs } from '../../../electron/services/hardware/nvidia-smi-csv';
import { NvidiaSmi } from '../../../electron/services/hardware/nvidia-smi';
import { exitedOk, FakeCommandRunner } from '../../fakes/command-runner';

function fixture(name: string): string {
  return readFileSync(new URL(`../../fixtures/hardware/${name}`, import.meta.url), 'utf8');
}

function enoent(): Error {
  return Object.assign(new Error('spawn nvidia-smi ENOENT'), { code: 'ENOENT', errno: -2, syscall: 'spawn nvidia-smi' });
}

const isXmlQuery = (args: string[]) => args.includes('-q');
// Hand-written in the documented noheader,nounits form; no public capture of it exists.
const SAMPLE_CSV = '0, GPU-aaaa, NVIDIA RTX A5000, 00000000:81:00.0, 24564, 22437, 12, 40, 65.50, 230.00, 590.44.01\n';

describe('NvidiaSmi with nvidia-smi present', () => {
  const runner = new FakeCommandRunner((args) =>
    isXmlQuery(args) ? exitedOk(fixture('nvidia-smi-q-x-2xRTX-A5000-driver590.xml')) : exitedOk(SAMPLE_CSV),
  );
  const smi = new NvidiaSmi(runner);

  it('reads GPUs from nvidia-smi -q -x', async () => {
    const { gpus, error } = await smi.readGpus();
    expect(error).toBeNull();
    expect(gpus.map((g) => g.name)).toEqual(['NVIDIA RTX A5000', 'NVIDIA RTX A5000']);
    expect(gpus.map((g) => g.cudaVersion)).toEqual(['13.1', '13.1']);
    expect(runner.calls[0]).toMatchObject({ command: 'nvidia-smi', args: ['-q', '-x'] });
  });

  it('reads samples with the CSV query', async () => {
    const samples = await smi.readSamples();
    expect(samples).toEqual([
      { index: 0, utilizationPercent: 12, memoryUsedMb: 22437, memoryTotalMb: 24564, temperatureC: 40, powerDrawW: 65.5 },
    ]);
    expect(runner.calls.at(-1)?.args).toEqual(sampleQueryArgs());
  });

  it('shares one nvidia-smi run between overlapping sample polls', async () => {
    const before = runner.calls.length;
    const [a, b] = await Promise.all([smi.readSamples(), smi.readSamples()]);
    expect(a).toEqual(b);
    expect(runner.calls.length - before).toBe(1);
  });

  it('uses the binary name it was given', async () => {
    const custom = new FakeCommandRunner(() => exitedOk(fixture('nvidia-smi-q-x-2xGTX1080-driver460.xml')));
    await new NvidiaSmi(custom, 'C:\\Windows\\System32\\nvidia-smi.exe').readGpus();
    expect(custom.calls[0]?.command).toBe('C:\\Windows\\System32\\nvidia-smi.exe');
  });
});

describe('NvidiaSmi without nvidia-smi', () => {
  it('reports a missing driver in plain words and stops spawning for samples until readGpus', async () => {
    const runner = new FakeCommandRunner(() => enoent());
    const smi = new NvidiaSmi(runner);

    const reading = await smi.readGpus();
    expect(reading.gpus).toEqual([]);
    expect(reading.error).toBe('nvidia-smi was not found: no NVIDIA driver is installed on this machine');
    expect(runner.calls).toHaveLength(1);

    expect(await smi.readSamples()).toEqual([]);
    expect(await smi.readSamples()).toEqual([]);
    expect(runner.calls).toHaveLength(1);

    // A driver installed since: readGpus looks again and samples resume.
    runner.answer = (args) => (isXmlQuery(args) ? exitedOk(fixture('nvidia-smi-q-x-2xGTX1080-driver460.xml')) : exitedOk(SAMPLE_CSV));
    expect((await smi.readGpus()).gpus).toHaveLength(2);
    expect(await smi.readSamples()).toHaveLength(1);
    expect(runner.calls).toHaveLength(3);
  });

  it('also stops sampling when the binary disappears between samples', async () => {
    const runner = new FakeCommandRunner(() => enoent());
    const smi = new NvidiaSmi(runner);
    expect(await smi.readSamples()).toEqual([]);
    expect(await smi.readSamples()).toEqual([]);
    expect(runner.calls).toHaveLength(1);
  });
});

describe('NvidiaSmi when nvidia-smi fails', () => {
  const driverDown =
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. " +
    'Make sure that the latest NVIDIA driver is installed and running.\n\n';

  it("passes on nvidia-smi's own message and exit code", async () => {
    const runner = new FakeCommandRunner(() => ({ stdout: driverDown, stderr: '', exitCode: 9 }));
    const smi = new NvidiaSmi(runner);
    const reading = await smi.readGpus();
    expect(reading.gpus).toEqual([]);
    expect(reading.error).toContain('exit code 9');
    expect(reading.error).toContain("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver");
    expect(await smi.readSamples()).toEqual([]);
  });

  it('prefers stderr when nvidia-smi wrote there', async () => {
    const runner = new FakeCommandRunner(() => ({ stdout: '', stderr: 'Insufficient Permissions\n', exitCode: 4 }));
    expect((await new NvidiaSmi(runner).readGpus()).error).toBe('nvidia-smi failed (exit code 4): Insufficient Permissions');
  });

  it('reports other spawn errors and unreadable output without throwing', async () => {
    const timedOut = new FakeCommandRunner(() => Object.assign(new Error('Command failed: nvidia-smi -q -x'), { killed: true }));
    expect((await new NvidiaSmi(timedOut).readGpus()).error).toMatch(/^nvidia-smi could not be run: /);

    const garbage = new FakeCommandRunner(() => exitedOk('not xml at all'));
    const reading = await new NvidiaSmi(garbage).readGpus();
    expect(reading.gpus).toEqual([]);
    expect(reading.error).toMatch(/could not be read/);
  });
});

describe('ExecFileCommandRunner', () => {
  const runner = new ExecFileCommandRunner();

  it('resolves with output and exit code 0', async () => {
    await expect(runner.run(process.execPath, ['-e', 'process.stdout.write("hi")'])).resolves.toEqual({
      stdout: 'hi',
      stderr: '',
      exitCode: 0,
    });
  });

  it('resolves with the exit code of a failing program', async () => {
    const result = await runner.run(process.execPath, ['-e', 'console.error("boom"); process.exit(9)']);
    expect(result).toMatchObject({ exitCode: 9, stderr: 'boom\n' });
  });

  it('rejects with ENOENT when the program does not exist', async () => {
    await expect(runner.run('orrery-no-such-binary-for-tests', [])).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('rejects when the timeout kills the program', async () => {
    await expect(
      runner.run(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], { timeoutMs: 200 }),
    ).rejects.toMatchObject({ killed: true });
  });
});
