import { describe, expect, it } from 'vitest';
import { jobSpecSchema, RESERVED_JOB_ENV } from '../../shared/contract/training-spec';

const base = { name: 'train', image: 'orrery/python:local', command: ['python3', 'train.py'] };

function issues(env: Record<string, string>): string[] {
  const parsed = jobSpecSchema.safeParse({ ...base, env });
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe("a job spec's environment", () => {
  it('refuses each variable Orrery sets itself, naming it (the job would never see its value)', () => {
    for (const name of RESERVED_JOB_ENV) {
      expect(issues({ [name]: 'x' })).toEqual([`env.${name}: is set by Orrery for every job (its value would never reach the job); choose another name`]);
    }
    expect(RESERVED_JOB_ENV).toEqual(expect.arrayContaining(['MLFLOW_TRACKING_TOKEN', 'ORRERY_JOB_ID', 'CUDA_VISIBLE_DEVICES', 'ORRERY_MOUNTS']));
    expect(issues({ SEED: '42', MY_TOKEN: 'abc' })).toEqual([]);
  });

  it('bounds what fits on a command line: a value over 32 KiB, a NUL, over 256 KiB in all or over 256 variables', () => {
    expect(issues({ BIG: 'x'.repeat(32 * 1024) })).toEqual([]);
    expect(issues({ BIG: 'x'.repeat(32 * 1024 + 1) })).toEqual(['env.BIG: must be at most 32 KiB (pass big data as a file in a mount)']);
    expect(issues({ NUL: 'a\0b' })).toEqual(['env.NUL: must not contain a NUL character']);
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`V${i}`, 'x'.repeat(30 * 1024)]));
    expect(issues(nine)).toEqual(['env: must be at most 256 KiB in all']);
    const many = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`V${i}`, '1']));
    expect(issues(many)).toEqual(['env: must have at most 256 variables']);
  });
});
