import type { GpuInfo, GpuSample } from '../../../shared/contract/hardware';
import type { CommandResult, CommandRunner } from './command-runner';
import { gpuSamplesFromCsv, SAMPLE_QUERY_FIELDS, sampleQueryArgs } from './nvidia-smi-csv';
import { parseNvidiaSmiXml } from './nvidia-smi-xml';

export interface NvidiaGpuReading {
  gpus: GpuInfo[];
  /** Why no GPU could be read, in plain words; null when nvidia-smi answered. */
  error: string | null;
}

/** -q -x walks every GPU and can take seconds on a busy 8-GPU box. */
const DETAIL_TIMEOUT_MS = 15_000;
/** Samples run every couple of seconds; a slower answer is stale anyway. */
const SAMPLE_TIMEOUT_MS = 5_000;
/** Enough of nvidia-smi's own message to explain the failure without flooding the UI. */
const MAX_MESSAGE_CHARS = 500;

function isMissingBinary(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** nvidia-smi writes its failures (e.g. "couldn't communicate with the NVIDIA driver") to stdout. */
function failureMessage(binary: string, result: CommandResult): string {
  const said = (result.stderr.trim() || result.stdout.trim()).replace(/\s+/g, ' ').slice(0, MAX_MESSAGE_CHARS);
  const prefix = `${binary} failed (exit code ${result.exitCode})`;
  return said ? `${prefix}: ${said}` : prefix;
}

/**
 * Reads NVIDIA GPUs through nvidia-smi. Never throws: failures become an error string or no samples.
 * Once the binary is found missing, samples stop spawning it until readGpus() looks again, so an
 * idle machine without NVIDIA drivers does not fork a doomed process every poll.
 */
export class NvidiaSmi {
  private missing = false;
  private sampling: Promise<GpuSample[]> | null = null;

  constructor(
    private readonly runner: CommandRunner,
    private readonly binary = 'nvidia-smi',
  ) {}

  async readGpus(): Promise<NvidiaGpuReading> {
    this.missing = false;
    let result: CommandResult;
    try {
      result = await this.runner.run(this.binary, ['-q', '-x'], { timeoutMs: DETAIL_TIMEOUT_MS });
    } catch (error) {
      if (isMissingBinary(error)) {
        this.missing = true;
        return { gpus: [], error: `${this.binary} was not found: no NVIDIA driver is installed on this machine` };
      }
      return { gpus: [], error: `${this.binary} could not be run: ${describe(error)}` };
    }
    if (result.exitCode !== 0) return { gpus: [], error: failureMessage(this.binary, result) };
    try {
      return { gpus: parseNvidiaSmiXml(result.stdout).gpus, error: null };
    } catch (error) {
      return { gpus: [], error: `${this.binary} answered, but its report could not be read: ${describe(error)}` };
    }
  }

  /** One utilisation sample per GPU; [] when nvidia-smi is missing or failing. */
  readSamples(): Promise<GpuSample[]> {
    if (this.missing) return Promise.resolve([]);
    // A poll that lands while the previous nvidia-smi is still running shares its answer.
    this.sampling ??= this.sample().finally(() => {
      this.sampling = null;
    });
    return this.sampling;
  }

  private async sample(): Promise<GpuSample[]> {
    try {
      const result = await this.runner.run(this.binary, sampleQueryArgs(), { timeoutMs: SAMPLE_TIMEOUT_MS });
      if (result.exitCode !== 0) return [];
      return gpuSamplesFromCsv(result.stdout, SAMPLE_QUERY_FIELDS);
    } catch (error) {
      if (isMissingBinary(error)) this.missing = true;
      return [];
    }
  }
}
