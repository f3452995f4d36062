/**
 * Keeps what passes through one body: its byte count, the whole body while it stays under
 * `retainBytes` (for a retry on another replica and for a shadow copy), and otherwise its first
 * `prefixBytes` (for the request log). Chunks are kept by reference: no copy on the hot path.
 */
export class BodyTap {
  bytes = 0;
  /** Whether `chunks` still hold the whole body. */
  whole = true;
  private chunks: Buffer[] = [];
  private kept = 0;

  constructor(
    private readonly retainBytes: number,
    private readonly prefixBytes: number,
  ) {}

  add(chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.whole) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
      if (this.kept > this.retainBytes) this.dropToPrefix();
    } else if (this.kept < this.prefixBytes) {
      this.chunks.push(chunk);
      this.kept += chunk.length;
    }
  }

  /** Every chunk so far (the whole body only while `whole`). */
  held(): readonly Buffer[] {
    return this.chunks;
  }

  /** The whole body; call only while `whole`. */
  body(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
  }

  /** At most the first `prefixBytes`. */
  prefix(): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.kept);
    return all.length > this.prefixBytes ? all.subarray(0, this.prefixBytes) : all;
  }

  private dropToPrefix(): void {
    this.whole = false;
    const kept: Buffer[] = [];
    let size = 0;
    for (const chunk of this.chunks) {
      if (size >= this.prefixBytes) break;
      kept.push(chunk);
      size += chunk.length;
    }
    this.chunks = kept;
    this.kept = size;
  }
}
