import type { HardwareSample } from '../../../shared/contract/hardware';
import type { EventBus } from '../events/event-bus';

export const SAMPLE_INTERVAL_MS = 2000;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Publishes a hardware sample every interval, but only while the `hardware.sample` topic has
 * listeners. A setTimeout chain (next sample scheduled after the previous one finished) means a
 * slow nvidia-smi can never pile up overlapping samples.
 */
export class HardwareSampler {
  private timer: unknown = null;
  private running = false;
  private inFlight = false;
  private readonly detach: () => void;

  constructor(
    private readonly take: () => Promise<HardwareSample>,
    private readonly bus: EventBus,
    private readonly intervalMs: number = SAMPLE_INTERVAL_MS,
    private readonly timers: Timers = realTimers,
  ) {
    this.detach = bus.onListenerCount('hardware.sample', (count) => (count > 0 ? this.start() : this.stop()));
  }

  get active(): boolean {
    return this.running;
  }

  dispose(): void {
    this.detach();
    this.stop();
  }

  private start(): void {
    if (this.running) return;
    this.running = true;
    if (!this.inFlight) void this.tick();
  }

  private stop(): void {
    this.running = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (!this.running) return;
    this.inFlight = true;
    try {
      const sample = await this.take();
      if (this.running) this.bus.publish('hardware.sample', sample);
    } catch (error) {
      console.error('[hardware] sample failed:', error);
    } finally {
      this.inFlight = false;
    }
    if (this.running) this.timer = this.timers.setTimeout(() => void this.tick(), this.intervalMs);
  }
}
