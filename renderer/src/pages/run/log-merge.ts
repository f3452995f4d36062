import type { JobLogLine } from '../../../../shared/contract/training';

const same = (a: JobLogLine, b: JobLogLine) => a.at === b.at && a.stream === b.stream && a.line === b.line;

/**
 * A log read from the server joined with the lines that arrived as events meanwhile. The server
 * writes a line before it publishes it, in order, but a read may still miss the newest ones (not
 * yet flushed, or published while the answer travelled): those are the recent lines after the
 * last line read. Nothing is reordered or doubled; at most `keep` lines are kept. (Identical lines
 * stamped in one millisecond are told apart only by their neighbours; the read made when the job
 * ends is whole in any case.)
 */
export function mergeLog(loaded: readonly JobLogLine[], recent: readonly JobLogLine[], keep: number): JobLogLine[] {
  let missing: readonly JobLogLine[] = recent;
  const last = loaded.at(-1);
  if (last) {
    const end = alignment(loaded, recent);
    // The read's end is among the recent lines: what followed it is missing. Otherwise only lines
    // stamped after its last line can be (older ones were in the file the server read).
    missing = end >= 0 ? recent.slice(end + 1) : recent.filter((l) => l.at > last.at);
  }
  const merged = missing.length ? [...loaded, ...missing] : [...loaded];
  return merged.length > keep ? merged.slice(merged.length - keep) : merged;
}

/**
 * Where the read's last line is in `recent`: the latest index whose run of lines up to it equals
 * the read's own last lines (so a line printed twice in one millisecond is not taken for new);
 * -1 when none.
 */
function alignment(loaded: readonly JobLogLine[], recent: readonly JobLogLine[]): number {
  for (let end = recent.length - 1; end >= 0; end--) {
    const overlap = Math.min(end + 1, loaded.length);
    let ok = true;
    for (let k = 0; k < overlap && ok; k++) ok = same(recent[end - k]!, loaded[loaded.length - 1 - k]!);
    if (ok) return end;
  }
  return -1;
}

/** Appends one live line, keeping at most `keep`. */
export function appendLine(lines: readonly JobLogLine[], line: JobLogLine, keep: number): JobLogLine[] {
  return lines.length >= keep ? [...lines.slice(lines.length - keep + 1), line] : [...lines, line];
}
