/** The part of a writable stream (an HTTP response) a sink uses; tests may pass a fake. */
export interface FrameStream {
  /** Bytes accepted by write() and not yet handed to the kernel. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  write(chunk: string): boolean;
  end(): void;
  destroy(): void;
  once(event: 'close', listener: () => void): unknown;
}

export interface SinkLimits {
  /**
   * The most bytes a subscriber may have queued in this process and unsent. Node queues whatever
   * write() is given, without limit, when the reader stops reading (a frozen tab, a stalled SSH
   * tunnel); this cap is what keeps one such reader from holding the server's memory.
   */
  maxQueuedBytes: number;
  /** How long a dropped subscriber has to read its queued frames and the final one before its connection is cut. */
  drainGraceMs: number;
}

export const defaultSinkLimits: SinkLimits = { maxQueuedBytes: 2 * 1024 * 1024, drainGraceMs: 30_000 };

// What the transport adds around each write (an HTTP chunk's size line and CRLF; the last chunk).
const WRITE_OVERHEAD = 32;

/**
 * Writes frames to one subscriber's stream while its unsent bytes stay under a cap. A frame that
 * would pass the cap drops the subscriber instead: the final frame (room for it is kept, so the
 * cap holds even then) is queued, the stream is ended, and `onDrop` runs at once so the caller
 * stops producing for it. What is still queued stays bounded by the cap until the reader takes
 * it or the grace period ends and the connection is cut.
 */
export class BoundedSink {
  private dropped = false;
  private readonly room: number;

  constructor(
    private readonly stream: FrameStream,
    private readonly finalFrame: string,
    private readonly onDrop: () => void,
    private readonly limits: SinkLimits = defaultSinkLimits,
  ) {
    this.room = limits.maxQueuedBytes - Buffer.byteLength(finalFrame) - 2 * WRITE_OVERHEAD;
  }

  /** True once the subscriber was dropped or its stream is gone: nothing more will be written. */
  get closed(): boolean {
    return this.dropped || this.stream.destroyed;
  }

  /** Queues one frame; returns false when the subscriber is (now) dropped. */
  send(frame: string): boolean {
    if (this.closed) return false;
    const queued = this.stream.writableLength;
    // With nothing queued a frame is always sent, even one larger than the cap: otherwise one
    // outsized event would drop every subscriber, and again after each reconnect.
    if (queued > 0 && queued + Buffer.byteLength(frame) + WRITE_OVERHEAD > this.room) {
      this.drop();
      return false;
    }
    this.stream.write(frame);
    return true;
  }

  private drop(): void {
    this.dropped = true;
    this.onDrop();
    this.stream.write(this.finalFrame);
    this.stream.end();
    // end() waits for the reader; one that never reads would keep the connection (and up to the
    // cap of memory) forever.
    const cut = setTimeout(() => this.stream.destroy(), this.limits.drainGraceMs);
    cut.unref();
    this.stream.once('close', () => clearTimeout(cut));
  }
}
