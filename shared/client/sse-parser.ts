/** One server-sent event, as dispatched by the text/event-stream rules. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/**
 * Incremental text/event-stream parser. Feed it decoded text in whatever chunks
 * the network delivers; it returns the events completed by each chunk.
 * Follows the WHATWG rules: CR, LF or CRLF line ends, comment lines (": keepalive"),
 * multi-line data joined by "\n", events without data are dropped.
 */
export class SseParser {
  private buffer = '';
  private eventType = '';
  private dataLines: string[] = [];
  private hasData = false;
  private lastId: string | null = null;
  private sawFirstChunk = false;
  /** The last chunk ended in CR: an LF opening the next chunk belongs to that CRLF. */
  private skipLeadingLf = false;
  /** Set when the server sends "retry: <ms>"; the reconnect delay it asks for. */
  retryMs: number | null = null;

  push(chunk: string): SseEvent[] {
    if (!this.sawFirstChunk && chunk.length > 0) {
      this.sawFirstChunk = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.skipLeadingLf && chunk.length > 0) {
      this.skipLeadingLf = false;
      if (chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
    }
    this.buffer += chunk;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const lineEnd = findLineEnd(this.buffer, start);
      if (lineEnd === null) break;
      const line = this.buffer.slice(start, lineEnd.at);
      start = lineEnd.next;
      if (lineEnd.next === this.buffer.length && this.buffer.charCodeAt(lineEnd.at) === 13) this.skipLeadingLf = true;
      const event = this.processLine(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  /** Forget any half-read event, e.g. when the stream is reopened. */
  reset(): void {
    this.buffer = '';
    this.sawFirstChunk = false;
    this.skipLeadingLf = false;
    this.clearEvent();
  }

  private processLine(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break; // unknown fields are ignored by the spec
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    const event = this.hasData
      ? { event: this.eventType || 'message', data: this.dataLines.join('\n'), id: this.lastId }
      : null;
    this.clearEvent();
    return event;
  }

  private clearEvent(): void {
    this.eventType = '';
    this.dataLines = [];
    this.hasData = false;
  }
}

/** Where the next line ends (CR, LF or CRLF), or null if the buffer holds no complete line yet. */
function findLineEnd(buffer: string, from: number): { at: number; next: number } | null {
  for (let i = from; i < buffer.length; i++) {
    const c = buffer.charCodeAt(i);
    if (c === 10) return { at: i, next: i + 1 };
    if (c === 13) return { at: i, next: buffer.charCodeAt(i + 1) === 10 ? i + 2 : i + 1 };
  }
  return null;
}
