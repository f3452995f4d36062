import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../renderer/src/lib/format';
import { isSystemTag, parseTagText } from '../../renderer/src/lib/tag-text';
import { diskBreakdown } from '../../renderer/src/pages/overview/disk-breakdown';
import { formatDuration as runsTableDuration, runDuration } from '../../renderer/src/pages/experiments/columns';
import { elapsedOf } from '../../renderer/src/pages/jobs/queue-model';
import type { Job } from '../../shared/contract/training';

describe('a tag typed as key=value', () => {
  it('splits at the first =, trimming both sides; the value may be empty or hold more =', () => {
    expect(parseTagText(' team = vision ')).toEqual({ ok: true, key: 'team', value: 'vision' });
    expect(parseTagText('note=')).toEqual({ ok: true, key: 'note', value: '' });
    expect(parseTagText('query=a=b')).toEqual({ ok: true, key: 'query', value: 'a=b' });
  });

  it('refuses text without = with the expected form, and an empty key', () => {
    expect(parseTagText('team')).toEqual({ ok: false, error: 'Tag “team”: expected key=value (e.g. team=vision).' });
    expect(parseTagText('orrery.x=1')).toEqual({ ok: false, error: expect.stringMatching(/orrery\.\* tags are Orrery's own and are set by Orrery/) });
    // MLflow's user-facing tags (the run's note) stay the user's to set.
    expect(parseTagText('mlflow.note.content=hello')).toEqual({ ok: true, key: 'mlflow.note.content', value: 'hello' });
    expect(parseTagText('=vision')).toMatchObject({ ok: false, error: expect.stringMatching(/key before “=” is empty; expected key=value/) });
  });

  it('tells the tags MLflow and Orrery set from the user’s own', () => {
    expect(isSystemTag('mlflow.runName')).toBe(true);
    expect(isSystemTag('orrery.job-id')).toBe(true);
    expect(isSystemTag('team')).toBe(false);
    expect(isSystemTag('mlflowish')).toBe(false);
  });
});

describe('the disk card’s numbers add up', () => {
  it('names what ext4 reserves: used + free + reserved = total', () => {
    // A real df of a 100 GiB ext4 volume: 5% reserved for root is neither used nor available.
    const gib = 1024 ** 3;
    const d = diskBreakdown({ totalBytes: 100 * gib, usedBytes: 40 * gib, availableBytes: 55 * gib });
    expect(d).toEqual({ used: 40 * gib, free: 55 * gib, reserved: 5 * gib, total: 100 * gib, usedDerived: false });
    expect(d.used + d.free + d.reserved).toBe(d.total);
  });

  it('when used + free exceed the total (btrfs, overlays), used is total − free, and says so', () => {
    const d = diskBreakdown({ totalBytes: 100, usedBytes: 70, availableBytes: 50 });
    expect(d).toEqual({ used: 50, free: 50, reserved: 0, total: 100, usedDerived: true });
  });

  it('a disk reporting more free than its size is full of nothing, not negative', () => {
    expect(diskBreakdown({ totalBytes: 100, usedBytes: 0, availableBytes: 150 })).toEqual({ used: 0, free: 100, reserved: 0, total: 100, usedDerived: false });
  });
});

describe('durations read the same on the jobs page and the runs table', () => {
  it('one format', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 m 05 s');
    expect(formatDuration(2 * 3_600_000 + 4 * 60_000)).toBe('2 h 04 m');
    expect(formatDuration(null)).toBe('—');
    expect(runsTableDuration).toBe(formatDuration);
  });

  it('a job and its run that took the same time show the same text', () => {
    const job = { status: 'finished', createdAt: 0, startedAt: 1_000, endedAt: 186_400 } as Job;
    const run = { status: 'FINISHED' as const, startTime: 1_000, endTime: 186_400 };
    expect(formatDuration(elapsedOf(job, 999_999))).toBe('3 m 05 s');
    expect(runsTableDuration(runDuration(run, 999_999))).toBe('3 m 05 s');
  });
});
