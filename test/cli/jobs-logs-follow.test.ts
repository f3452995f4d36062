import { describe, expect, it } from 'vitest';
import type { Job, JobLogLine } from '../../shared/contract/training';
import { OrreryError } from '../../shared/errors';
import { followJobLogs } from '../../electron/cli/jobs-logs-follow';
import { watchJobEnd } from '../../electron/cli/jobs-end-watch';
import { fakeEventClient } from '../fakes/event-client';

const JOB = 'a'.repeat(32);
const RUN = 'b'.repeat(32);

/**
 * A job's log as the service keeps it (`file`, the lines written so far) and its status, behind a
 * client whose events the test emits. `onRead` runs as a read is answered: lines written meanwhile,
 * in the answer and announced by an event too.
 */
function fakeJob() {
  const file: JobLogLine[] = [];
  let status: Job['status'] = 'running';
  let onRead: (() => void) | null = null;
  const job = () => ({ jobId: JOB, runId: RUN, name: 'digits', status, reason: status === 'running' ? null : 'exited with code 0' }) as Job;
  const { client, emit, count } = fakeEventClient((method: string, input: { jobId: string; tail?: number }) => {
    if (input.jobId !== JOB && input.jobId !== RUN) return Promise.reject(new OrreryError('NOT_FOUND', `No job with id ${input.jobId}, and no job made a run with that id.`));
    if (method === 'training.getJob') return Promise.resolve(job());
    if (method === 'training.getLogs') {
      const during = onRead;
      onRead = null;
      during?.();
      return Promise.resolve(file.slice(-(input.tail ?? 1000)));
    }
    return Promise.reject(new Error(`unexpected ${method}`));
  });
  let at = 0;
  return {
    client,
    /** A line written to the log; `published` false: its event never reached this client. */
    write(text: string, published = true, jobId = JOB) {
      const line: JobLogLine = { jobId, runId: jobId === JOB ? RUN : 'c'.repeat(32), stream: 'stdout', line: text, at: ++at };
      if (jobId === JOB) file.push(line);
      if (published) emit('training.log', line);
    },
    duringNextRead(action: () => void) {
      onRead = action;
    },
    end(published = true) {
      status = 'finished';
      if (published) emit('training.job', job());
    },
    listening: count,
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('jobs logs --follow', () => {
  it('prints every line once, in order: those before, those written while the log was read, those after', async () => {
    const fake = fakeJob();
    fake.write('epoch 1');
    fake.write('epoch 1'); // the same text twice is two lines
    fake.duringNextRead(() => fake.write('epoch 2'));
    const printed: string[] = [];
    const following = followJobLogs(fake.client, { id: RUN, pollMs: 10_000 }, (l) => printed.push(l.line));
    await settle();
    fake.write('epoch 3');
    fake.write('another job', true, 'd'.repeat(32));
    fake.end();
    const job = await following;
    expect(job.status).toBe('finished');
    expect(printed).toEqual(['epoch 1', 'epoch 1', 'epoch 2', 'epoch 3']);
    expect(fake.listening()).toBe(0);
  });

  it('a line the event stream missed is read from the log at the end; --tail limits only the lines before', async () => {
    const fake = fakeJob();
    for (const n of [1, 2, 3]) fake.write(`old ${n}`);
    const printed: string[] = [];
    const following = followJobLogs(fake.client, { id: JOB, tail: 1, pollMs: 10_000 }, (l) => printed.push(l.line));
    await settle();
    fake.write('seen live');
    fake.write('missed by the stream', false);
    fake.write('last line');
    fake.end();
    await following;
    expect(printed).toEqual(['old 3', 'seen live', 'last line', 'missed by the stream']);
  });

  it('an end the event stream missed is found by asking; an unknown id fails at once', async () => {
    const fake = fakeJob();
    const printed: string[] = [];
    const following = followJobLogs(fake.client, { id: JOB, pollMs: 5 }, (l) => printed.push(l.line));
    await settle();
    fake.write('done');
    fake.end(false);
    expect((await following).status).toBe('finished');
    expect(printed).toEqual(['done']);
    await expect(followJobLogs(fake.client, { id: 'e'.repeat(32) }, () => undefined)).rejects.toThrow(/^No job with id e{32}/);
    await expect(watchJobEnd(fake.client, 'e'.repeat(32)).ended).rejects.toThrow(/^No job with id/);
    expect(fake.listening()).toBe(0);
  });
});
