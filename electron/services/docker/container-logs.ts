import type Docker from 'dockerode';
import { LineSplitter } from '../streams/line-splitter';
import { asError } from './engine-errors';
import { engineSince, splitFrames, stripTimestamp } from './log-frames';

export type LogStream = 'stdout' | 'stderr';

/** Stops following; `done` settles once the stream has ended, with the error that ended it or null. */
export type LogFollower = (() => void) & { readonly done: Promise<Error | null> };

/**
 * Follows a container's output as whole lines, stdout and stderr apart. `since` (epoch
 * milliseconds) skips what was written before, for reattaching. Lines keep arriving until the
 * container stops or the returned function is called.
 *
 * The engine (20.10) can end a followed stream before it has sent a last line that has no
 * newline. So frames carry the engine's timestamps, and once the stream ends the messages after
 * the last one received are read again, without following, and delivered: nothing twice.
 */
export function followContainerLogs(
  docker: Pick<Docker, 'getContainer' | 'modem'>,
  containerId: string,
  onLine: (stream: LogStream, line: string) => void,
  since?: number,
): LogFollower {
  const container = docker.getContainer(containerId);
  let stopped = false;
  let stream: NodeJS.ReadableStream | null = null;
  const splitters: Record<LogStream, LineSplitter> = {
    stdout: new LineSplitter((line) => {
      if (!stopped) onLine('stdout', line);
    }),
    stderr: new LineSplitter((line) => {
      if (!stopped) onLine('stderr', line);
    }),
  };
  // The newest message time delivered, and how many messages carried exactly that time.
  let last: bigint | null = null;
  let atLast = 0;
  const deliver = (kind: LogStream, frame: Buffer, skipUpTo: { at: bigint | null; count: number } | null) => {
    const { at, body } = stripTimestamp(frame);
    if (at !== null && skipUpTo !== null && skipUpTo.at !== null) {
      if (at < skipUpTo.at) return;
      if (at === skipUpTo.at && skipUpTo.count > 0) {
        skipUpTo.count -= 1;
        return;
      }
    }
    if (at !== null) {
      if (last !== null && at === last) atLast += 1;
      else if (last === null || at > last) {
        last = at;
        atLast = 1;
      }
    }
    splitters[kind].push(body);
  };
  const sink = (kind: LogStream) =>
    ({
      // demuxStream writes each frame whole, in one call.
      write: (frame: Buffer) => {
        deliver(kind, frame, null);
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const sinceOption = since === undefined ? undefined : engineSince(BigInt(Math.round(since * 1000)) * 1000n);

  const done = (async (): Promise<Error | null> => {
    try {
      const opened = await container.logs({ follow: true, stdout: true, stderr: true, timestamps: true, ...(sinceOption ? { since: sinceOption } : {}) });
      if (stopped) {
        destroyStream(opened);
        return null;
      }
      stream = opened;
      const ended = await new Promise<Error | null>((resolve) => {
        opened.on('end', () => resolve(null));
        opened.on('close', () => resolve(null));
        opened.on('error', (error: Error) => resolve(error));
        docker.modem.demuxStream(opened, sink('stdout'), sink('stderr'));
      });
      if (stopped) return null;
      if (ended !== null) return ended;
      // The stream ends as the container stops; its state may say so a moment later.
      let running = true;
      for (let attempt = 0; running && attempt < 20; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 100));
        running = (await container.inspect()).State.Running;
      }
      if (stopped) return null;
      if (running) return new Error(`The log stream of container ${containerId} ended while the container still runs`);
      const from = last === null ? sinceOption : engineSince(last);
      const rest = await container.logs({ follow: false, stdout: true, stderr: true, timestamps: true, ...(from ? { since: from } : {}) });
      const skip = { at: last, count: atLast };
      for (const frame of splitFrames(Buffer.isBuffer(rest) ? rest : Buffer.from(String(rest)))) deliver(frame.stream, frame.body, skip);
      splitters.stdout.end();
      splitters.stderr.end();
      return null;
    } catch (error) {
      return stopped ? null : asError(error);
    }
  })();

  const stop = () => {
    stopped = true;
    if (stream !== null) destroyStream(stream);
  };
  return Object.assign(stop, { done });
}

export function destroyStream(stream: NodeJS.ReadableStream): void {
  const destroyable = stream as NodeJS.ReadableStream & { destroy?: () => void };
  if (typeof destroyable.destroy === 'function') destroyable.destroy();
}
