/** The timer functions the triggers use, so tests can pass fakes (or rely on vi.useFakeTimers). */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's longest delay; a longer one fires at once, so far-off cron times wake up early and re-aim. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The global timers, unref'd: a waiting trigger never keeps the process alive on its own. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
