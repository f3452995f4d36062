import type { Timers } from '../../electron/services/hardware/hardware-sampler';

/** Timers that fire only when the test says the time has passed. */
export class ManualTimers implements Timers {
  pending: Array<{ fn: () => void; ms: number }> = [];
  setTimeout(fn: () => void, ms: number) {
    const entry = { fn, ms };
    this.pending.push(entry);
    return entry;
  }
  clearTimeout(handle: unknown) {
    this.pending = this.pending.filter((p) => p !== handle);
  }
  /** Runs the oldest pending timer. */
  fire() {
    const next = this.pending.shift();
    next?.fn();
  }
}
