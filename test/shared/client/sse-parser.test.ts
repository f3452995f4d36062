import { describe, expect, it } from 'vitest';
import { SseParser } from '../../../shared/client/sse-parser';

function feed(chunks: string[]) {
  const parser = new SseParser();
  return chunks.flatMap((chunk) => parser.push(chunk));
}

describe('SseParser', () => {
  it('parses a named event with JSON data', () => {
    expect(feed(['event: hardware.sample\ndata: {"at":1}\n\n'])).toEqual([
      { event: 'hardware.sample', data: '{"at":1}', id: null },
    ]);
  });

  it('joins an event split across chunks at every possible point', () => {
    const text = 'event: hardware.sample\ndata: {"cpuPercent":12.5}\n\nevent: other\ndata: 2\n\n';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(feed([text.slice(0, cut), text.slice(cut)])).toEqual([
        { event: 'hardware.sample', data: '{"cpuPercent":12.5}', id: null },
        { event: 'other', data: '2', id: null },
      ]);
    }
  });

  it('joins a CRLF stream split at every possible point', () => {
    const text = 'event: a\r\ndata: 1\r\n\r\n: keepalive\r\n\r\nevent: b\r\ndata: 2\r\n\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      expect(feed([text.slice(0, cut), text.slice(cut)])).toEqual([
        { event: 'a', data: '1', id: null },
        { event: 'b', data: '2', id: null },
      ]);
    }
  });

  it('survives one character per chunk', () => {
    const text = ': keepalive\n\nevent: a\ndata: {"x":1}\n\n';
    expect(feed([...text])).toEqual([{ event: 'a', data: '{"x":1}', id: null }]);
  });

  it('ignores keepalive comments, also between the lines of an event', () => {
    expect(feed([': keepalive\n\n', 'event: a\n: keepalive\ndata: 1\n\n', ': keepalive\n\n'])).toEqual([
      { event: 'a', data: '1', id: null },
    ]);
  });

  it('returns nothing until the blank line that ends the event arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: a\ndata: 1\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'a', data: '1', id: null }]);
  });

  it('handles CRLF and lone CR line ends, including a CRLF split between chunks', () => {
    expect(feed(['event: a\r\ndata: 1\r', '\n\r\n'])).toEqual([{ event: 'a', data: '1', id: null }]);
    expect(feed(['event: b\rdata: 2\r\r'])).toEqual([{ event: 'b', data: '2', id: null }]);
  });

  it('joins multi-line data with newlines and defaults the type to "message"', () => {
    expect(feed(['data: first\ndata: second\n\n'])).toEqual([{ event: 'message', data: 'first\nsecond', id: null }]);
  });

  it('strips only one space after the colon and accepts no space', () => {
    expect(feed(['event:a\ndata:  two spaces\n\n'])).toEqual([{ event: 'a', data: ' two spaces', id: null }]);
  });

  it('drops events without data and resets the type after each event', () => {
    expect(feed(['event: a\n\ndata: 1\n\n'])).toEqual([{ event: 'message', data: '1', id: null }]);
  });

  it('keeps the last id and reads retry', () => {
    const parser = new SseParser();
    expect(parser.push('id: 7\nretry: 2500\ndata: x\n\ndata: y\n\n')).toEqual([
      { event: 'message', data: 'x', id: '7' },
      { event: 'message', data: 'y', id: '7' },
    ]);
    expect(parser.retryMs).toBe(2500);
  });

  it('skips a byte order mark at the start of the stream', () => {
    expect(feed(['\uFEFFdata: 1\n\n'])).toEqual([{ event: 'message', data: '1', id: null }]);
  });

  it('forgets a half-read event on reset', () => {
    const parser = new SseParser();
    parser.push('event: a\ndata: partial');
    parser.reset();
    expect(parser.push('data: fresh\n\n')).toEqual([{ event: 'message', data: 'fresh', id: null }]);
  });
});
