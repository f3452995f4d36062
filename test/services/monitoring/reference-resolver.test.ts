import { describe, expect, it } from 'vitest';
import { localFileOf, referenceFile } from '../../../electron/services/monitoring/reference-resolver';
import { notFound } from '../../../shared/errors';

const runs = {
  getRunDetail(runId: string) {
    if (runId !== 'r1') throw notFound(`Run '${runId}' not found`);
    return {
      experimentId: '0',
      metrics: {},
      inputs: [
        { name: 'remote', source: '{"uri": "s3://bucket/train.csv"}', sourceType: 's3' },
        { name: 'train', source: '{"uri": "file:///data/train%20set.csv"}', sourceType: 'local' },
      ],
    };
  },
};
const opened: string[][] = [];
const artifacts = {
  async open(_experimentId: string, _runId: string, segments: readonly string[]) {
    opened.push([...segments]);
    if (segments.join('/') !== 'data/ref.parquet') throw notFound('no such artifact');
    return { file: '/store/artifacts/r1/data/ref.parquet', stream: { destroy: () => undefined } };
  },
};

describe('where a reference is read from', () => {
  it('a file must be an absolute path on this machine', async () => {
    expect(await referenceFile({ kind: 'file', path: '/data/ref.csv' }, runs, artifacts)).toBe('/data/ref.csv');
    await expect(referenceFile({ kind: 'file', path: 'ref.csv' }, runs, artifacts)).rejects.toThrow(/source\.path: 'ref\.csv' must be an absolute path/);
  });

  it("a run's artifact is its file in the artifact store; a missing one or '..' is refused by name", async () => {
    expect(await referenceFile({ kind: 'run-artifact', runId: 'r1', path: 'data/ref.parquet' }, runs, artifacts)).toBe('/store/artifacts/r1/data/ref.parquet');
    await expect(referenceFile({ kind: 'run-artifact', runId: 'r1', path: 'data/other.csv' }, runs, artifacts)).rejects.toThrow(/run r1 has no artifact 'data\/other\.csv'/);
    await expect(referenceFile({ kind: 'run-artifact', runId: 'r1', path: '../../etc/passwd' }, runs, artifacts)).rejects.toThrow(/not a path inside the run's artifacts/);
    await expect(referenceFile({ kind: 'run-artifact', runId: 'nope', path: 'a.csv' }, runs, artifacts)).rejects.toThrow(/source\.runId: no run with id 'nope'/);
  });

  it("a run's dataset input is used when its source is a local file; others are named", async () => {
    expect(await referenceFile({ kind: 'run-dataset', runId: 'r1' }, runs, artifacts)).toBe('/data/train set.csv');
    expect(await referenceFile({ kind: 'run-dataset', runId: 'r1', name: 'train' }, runs, artifacts)).toBe('/data/train set.csv');
    await expect(referenceFile({ kind: 'run-dataset', runId: 'r1', name: 'remote' }, runs, artifacts)).rejects.toThrow(/comes from .*s3:\/\/bucket\/train\.csv.*not a file on this machine/);
    await expect(referenceFile({ kind: 'run-dataset', runId: 'r1', name: 'eval' }, runs, artifacts)).rejects.toThrow(/no dataset input named 'eval' \(its datasets: remote, train\)/);
  });

  it('first N logged requests is not a file', async () => {
    expect(await referenceFile({ kind: 'requests', count: 100 }, runs, artifacts)).toBeNull();
  });

  it("reads MLflow's dataset sources: JSON with uri or path, file:// URIs, plain absolute paths", () => {
    expect(localFileOf('{"path": "/a/b.csv"}')).toBe('/a/b.csv');
    expect(localFileOf('file:///a/b.parquet')).toBe('/a/b.parquet');
    expect(localFileOf('/a/b.csv')).toBe('/a/b.csv');
    expect(localFileOf('https://example.com/b.csv')).toBeNull();
    expect(localFileOf('relative.csv')).toBeNull();
  });
});
