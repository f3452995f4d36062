import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Job, JobLogLine } from '../../shared/contract/training';
import { startTestServer, type TestServer } from '../helpers/test-server';
import { tempDir } from '../helpers/temp-dir';

let server: TestServer;
beforeEach(async () => {
  // No Docker engine answers in this server, so jobs run as plain processes.
  server = await startTestServer();
});
afterEach(async () => {
  await server.close();
});

describe('training methods over the API', () => {
  it('submit, follow, read the log', async () => {
    const submitted = await server.rpc<Job>('training.submit', {
      spec: { name: 'hello', image: 'host', command: ['python3', '-c', 'print("ORRERY_METRICS {\\"step\\": 0, \\"acc\\": 0.5}"); print("hello from the job")'] },
    });
    expect(submitted.status).toBe(200);
    const job = submitted.body.result!;
    expect(job).toMatchObject({ name: 'hello', runner: null });
    let current = job;
    for (let i = 0; i < 200 && current.status !== 'finished' && current.status !== 'failed'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      current = (await server.rpc<Job>('training.getJob', { jobId: job.jobId })).body.result!;
    }
    expect(current).toMatchObject({ status: 'finished', runner: 'process', exitCode: 0 });
    const logs = (await server.rpc<JobLogLine[]>('training.getLogs', { jobId: job.jobId })).body.result!;
    expect(logs.map((l) => l.line)).toContain('hello from the job');
    expect(server.running.app.tracking.getRun(job.runId).metrics.acc).toMatchObject({ value: 0.5 });
    const listed = (await server.rpc<Job[]>('training.listJobs', { status: ['finished'] })).body.result!;
    expect(listed.map((j) => j.jobId)).toEqual([job.jobId]);
  });

  it('bad input names the field: zero CPUs, memory above the machine, a bad sweep', async () => {
    const base = { name: 'x', image: 'host', command: ['true'] };
    const zero = await server.rpc('training.submit', { spec: { ...base, resources: { cpus: 0 } } });
    expect(zero.status).toBe(400);
    expect(zero.body.error!.message).toMatch(/spec\.resources\.cpus: .*more than 0/);
    const huge = await server.rpc('training.submit', { spec: { ...base, resources: { memoryGb: 100_000 } } });
    expect(huge.status).toBe(400);
    expect(huge.body.error!.message).toMatch(/memoryGb/);
    const sweep = await server.rpc('training.submitSweep', {
      spec: base,
      sweep: { strategy: 'grid', space: { lr: { min: 1, max: 0 } }, objective: { metric: 'acc', mode: 'max' } },
    });
    expect(sweep.status).toBe(400);
    expect(sweep.body.error!.message).toMatch(/sweep\.space\.lr/);
    const folder = tempDir();
    const reserved = await server.rpc('training.submit', { spec: { ...base, mounts: [{ source: folder, target: '/orrery/outputs' }] } });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error!.message).toMatch(/spec\.mounts\[0\]\.target: \/orrery\/outputs is where Orrery mounts its own files/);
    expect((await server.rpc<Job[]>('training.listJobs', {})).body.result).toEqual([]);
    const unknown = await server.rpc('training.getJob', { jobId: 'f'.repeat(32) });
    expect(unknown.status).toBe(404);
  });
});
