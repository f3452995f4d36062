export interface EndedWatch<T> {
  /** The subject once it has ended; rejects when a read fails (an unknown id, Orrery not answering). */
  ended: Promise<T>;
  close(): void;
}

export interface WatchUntilEndedOptions<T> {
  read(): Promise<T>;
  hasEnded(value: T): boolean;
  /**
   * Subscribes to what may change the subject: `changed` when an event says so, and when the event
   * stream goes live (a read before then may have missed one). Returns the unsubscribe.
   */
  listen(changed: () => void): () => void;
  /** Each fresh read, in the order read. */
  onView?(value: T): void;
  pollMs: number;
}

/**
 * Reads one thing (a job, a pipeline run) until it has ended: at once, on each event for it, and
 * every `pollMs` besides, since the stream may drop and an end it missed must not leave the CLI
 * waiting. Reads go one at a time, so views arrive in the order read; events while one is in
 * flight make one more read, not one each.
 */
export function watchUntilEnded<T>(options: WatchUntilEndedOptions<T>): EndedWatch<T> {
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let reading = false;
  let again = false;
  let settle: (value: T) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const ended = new Promise<T>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });

  const read = async (): Promise<void> => {
    if (closed) return;
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      do {
        again = false;
        const value = await options.read();
        if (closed) return;
        options.onView?.(value);
        if (options.hasEnded(value)) return settle(value);
      } while (again);
    } catch (error) {
      return fail(error);
    } finally {
      reading = false;
    }
  };
  const poll = (): void => {
    timer = null;
    void read().then(() => {
      if (!closed) timer = setTimeout(poll, options.pollMs);
    });
  };

  const off = options.listen(() => void read());
  poll();
  const close = (): void => {
    closed = true;
    off();
    if (timer !== null) clearTimeout(timer);
  };
  // Settled either way: stop polling and listening.
  ended.then(close, close);
  return { ended, close };
}
