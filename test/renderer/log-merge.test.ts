import { describe, expect, it } from 'vitest';
import type { JobLogLine } from '../../shared/contract/training';
import { appendLine, mergeLog } from '../../renderer/src/pages/run/log-merge';

const line = (n: number, at = 1000 + n, text = `line ${n}`): JobLogLine => ({ jobId: 'j', runId: 'r', stream: 'stdout', line: text, at });
const texts = (lines: JobLogLine[]) => lines.map((l) => l.line);

describe("a job's log read joined with the lines seen live", () => {
  it('adds the lines the read missed (not yet in the file), after the last line it returned', () => {
    const loaded = [line(0), line(1), line(2)];
    const recent = [line(1), line(2), line(3), line(4)];
    expect(texts(mergeLog(loaded, recent, 100))).toEqual(['line 0', 'line 1', 'line 2', 'line 3', 'line 4']);
  });

  it('doubles nothing when the read already had every line', () => {
    const loaded = [line(0), line(1), line(2)];
    expect(texts(mergeLog(loaded, [line(0), line(1), line(2)], 100))).toEqual(['line 0', 'line 1', 'line 2']);
  });

  it('tells identical lines of one millisecond apart by their neighbours', () => {
    const loaded = [line(0, 5, 'a'), line(1, 5, 'same'), line(2, 5, 'same')];
    // The read had both: nothing is added.
    expect(texts(mergeLog(loaded, [line(0, 5, 'a'), line(1, 5, 'same'), line(2, 5, 'same')], 100))).toEqual(['a', 'same', 'same']);
    // The read had the first only: the second is added.
    expect(texts(mergeLog(loaded.slice(0, 2), [line(0, 5, 'a'), line(1, 5, 'same'), line(2, 5, 'same'), line(3, 6, 'b')], 100))).toEqual(['a', 'same', 'same', 'b']);
  });

  it('takes every recent line when the read found none (the file was not written yet)', () => {
    expect(texts(mergeLog([], [line(0), line(1)], 100))).toEqual(['line 0', 'line 1']);
  });

  it('adds only newer lines when the last line read is older than the recent window', () => {
    const loaded = [line(0), line(1), line(5)];
    const recent = [line(2), line(3), line(6)];
    expect(texts(mergeLog(loaded, recent, 100))).toEqual(['line 0', 'line 1', 'line 5', 'line 6']);
  });

  it('keeps at most the newest `keep` lines', () => {
    expect(texts(mergeLog([line(0), line(1)], [line(2)], 2))).toEqual(['line 1', 'line 2']);
    expect(texts(appendLine([line(0), line(1)], line(2), 2))).toEqual(['line 1', 'line 2']);
  });
});
