/**
 * Watches this process while a call runs: the longest the event loop went without running a 10 ms
 * ticker (a server that stalls that long answers no one), and how far RSS rose above where it
 * stood at the start (sampled on every tick). Both are what a user of the server would notice.
 */
export interface LoopAndMemory {
  /** The longest gap between two ticks, in ms (about the tick interval when nothing blocks). */
  maxStallMs: number;
  /** Highest RSS seen minus RSS at the start, in bytes. */
  rssGrowthBytes: number;
}

export function watchLoopAndMemory(tickMs = 10): { stop(): LoopAndMemory } {
  const baseline = process.memoryUsage.rss();
  let peak = baseline;
  let last = performance.now();
  let maxGap = 0;
  const sample = (): void => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, tickMs);
  return {
    stop() {
      sample();
      clearInterval(timer);
      return { maxStallMs: Math.round(maxGap), rssGrowthBytes: peak - baseline };
    },
  };
}

/** Run `call`, returning what it threw (or null) with the loop and memory seen meanwhile. */
export async function watchCall(call: () => Promise<unknown>): Promise<LoopAndMemory & { error: unknown }> {
  const watch = watchLoopAndMemory();
  let error: unknown = null;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  return { ...watch.stop(), error };
}
