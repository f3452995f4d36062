/**
 * Flow control for a consumer that says how much it has taken (the desktop window, over IPC,
 * which has no backpressure of its own: what a busy or frozen window has not yet taken waits in
 * memory). Counts bytes sent and bytes acknowledged, both as running totals, and refuses a send
 * that would leave more than `maxUnackedBytes` outstanding.
 */
export class AckWindow {
  private sent = 0;
  private acked = 0;

  constructor(private readonly maxUnackedBytes: number) {}

  get outstanding(): number {
    return this.sent - this.acked;
  }

  /** Counts `bytes` as sent and returns true, or returns false when they would pass the cap. */
  trySend(bytes: number): boolean {
    // With nothing outstanding a message always goes, however large (as with the event stream's cap).
    if (this.outstanding > 0 && this.outstanding + bytes > this.maxUnackedBytes) return false;
    this.sent += bytes;
    return true;
  }

  /** The consumer has taken `total` bytes since it started; stale, repeated or impossible totals are ignored. */
  ack(total: unknown): void {
    if (typeof total !== 'number' || !Number.isSafeInteger(total)) return;
    if (total > this.acked && total <= this.sent) this.acked = total;
  }
}
