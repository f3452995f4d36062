import type { HardwareOverview } from '../../../shared/contract/hardware';

const REFRESH_MS = 10 * 60_000;

/**
 * The machine facts recorded with each new run. Reading the hardware takes a moment (nvidia-smi,
 * Docker), so it is read in the background and the latest reading is used: run creation never waits.
 */
export class EnvironmentSnapshot {
  private latest: Record<string, unknown> | null = null;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly read: () => Promise<HardwareOverview>) {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS).unref();
  }

  current(): Record<string, unknown> | null {
    return this.latest;
  }

  dispose(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const o = await this.read();
      this.latest = {
        cpu: o.cpu,
        memoryBytes: o.memory.totalBytes,
        os: o.os,
        gpus: o.gpus.map((g) => ({ index: g.index, name: g.name, uuid: g.uuid, memoryTotalMb: g.memoryTotalMb, driverVersion: g.driverVersion, cudaVersion: g.cudaVersion })),
        docker: { state: o.docker.state, version: o.docker.version, nvidiaRuntime: o.docker.nvidiaRuntime },
        capturedAt: o.collectedAt,
      };
    } catch {
      // Keep the previous reading; a run without hardware facts is better than no run.
    }
  }
}
