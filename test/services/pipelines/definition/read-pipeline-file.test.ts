import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineFileError } from '../../../../electron/services/pipelines/definition/pipeline-file-error';
import { dialectOf, readPipelineFile } from '../../../../electron/services/pipelines/definition/read-pipeline-file';
import { tempDir } from '../../../helpers/temp-dir';

function project(files: Record<string, string>): string {
  const root = fs.realpathSync(tempDir('orrery-pipeline-file-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

async function refusal(file: string): Promise<PipelineFileError> {
  const error = await readPipelineFile(file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineFileError);
  return error as PipelineFileError;
}

describe('readPipelineFile', () => {
  it('picks the dialect by file name', () => {
    expect(dialectOf('/p/dvc.yaml')).toBe('dvc');
    expect(dialectOf('/p/dvc.yml')).toBe('dvc');
    expect(dialectOf('/p/orrery.pipeline.yaml')).toBe('orrery');
    expect(dialectOf('/p/my-dvc.yaml')).toBe('orrery');
  });

  it('reads a dvc.yaml whose deps exist, not asking for deps a stage of the pipeline makes', async () => {
    const root = project({
      'dvc.yaml': 'stages:\n  prepare:\n    cmd: python prepare.py\n    deps: [prepare.py, data/raw.csv]\n    params: [prepare.split]\n    outs: [data/prepared]\n  train:\n    cmd: python train.py\n    deps: [data/prepared/train.csv, train.py, data]\n    outs: [model.pkl]\n',
      'prepare.py': '',
      'train.py': '',
      'data/raw.csv': 'a\n1\n',
      'params.yaml': 'prepare:\n  split: 0.2\n',
    });
    const definition = await readPipelineFile(path.join(root, 'dvc.yaml'));
    expect(definition.dialect).toBe('dvc');
    expect(definition.stages.map((s) => [s.name, s.needs])).toEqual([
      ['prepare', []],
      ['train', ['prepare']],
    ]);
  });

  it('names every dep that does not exist, with its line and field, and a missing params file', async () => {
    const root = project({
      'orrery.pipeline.yaml': 'stages:\n  check:\n    kind: validate-data\n    reference: data/ref.csv\n    current: data/cur.csv\n  train:\n    needs: [check]\n    job: {image: orrery/python:local, command: [python3, train.py]}\n    deps:\n      - train.py\n      - data/extra/\n',
      'data/ref.csv': 'a\n1\n',
      'train.py': '',
    });
    const error = await refusal(path.join(root, 'orrery.pipeline.yaml'));
    expect(error.problems).toEqual([
      { line: 5, field: 'stages.check.current', message: "dep 'data/cur.csv' does not exist" },
      { line: 11, field: 'stages.train.deps[1]', message: "dep 'data/extra' does not exist" },
    ]);
    expect(error.message).toContain(`${root}/orrery.pipeline.yaml:5: stages.check.current: dep 'data/cur.csv' does not exist`);

    const dvc = project({ 'dvc.yaml': 'stages:\n  a:\n    cmd: x\n    params: [lr]\n' });
    expect((await refusal(path.join(dvc, 'dvc.yaml'))).problems).toEqual([{ line: 2, field: 'stages.a.params', message: "params file 'params.yaml' does not exist" }]);
  });

  it('skips a frozen stage\'s deps: it never runs', async () => {
    const root = project({ 'dvc.yaml': 'stages:\n  old:\n    cmd: x\n    deps: [gone.csv]\n    frozen: true\n' });
    await expect(readPipelineFile(path.join(root, 'dvc.yaml'))).resolves.toMatchObject({ stages: [{ name: 'old', frozen: true }] });
  });

  it('refuses a missing file, a folder and a file too big to be a pipeline, with a clear message', async () => {
    const root = project({ 'big.yaml': `# ${'x'.repeat(2 * 1024 * 1024)}\n` });
    expect((await refusal(path.join(root, 'nope.yaml'))).message).toBe(`${root}/nope.yaml: no such file: give the path of an orrery.pipeline.yaml or a dvc.yaml`);
    expect((await refusal(root)).message).toBe(`${root}: is a folder, not a pipeline file: give the orrery.pipeline.yaml or dvc.yaml inside it`);
    expect((await refusal(path.join(root, 'big.yaml'))).message).toMatch(/is 2\.0 MiB; a pipeline file is at most 256 KiB/);
  });

  it('reads no file that is not YAML (its errors would quote it), nor one nested deeper than any pipeline', async () => {
    const root = project({ 'secret.txt': 'root:x:0:0\n', 'deep.yaml': `x: ${'['.repeat(100)}${']'.repeat(100)}\n`, 'cmd.yaml': `stages:\n  a:\n    cmd: python3 -c "print(${'['.repeat(80)}1${']'.repeat(80)})"\n` });
    const secret = await refusal(path.join(root, 'secret.txt'));
    expect(secret.message).toBe(`${root}/secret.txt: is not a pipeline file: give an orrery.pipeline.yaml, a dvc.yaml or another .yaml/.yml file`);
    expect(secret.message).not.toContain('root:x');
    expect((await refusal(path.join(root, 'deep.yaml'))).message).toMatch(/nests 100 levels deep; a pipeline file nests at most 64/);
    // Brackets inside a quoted command are not nesting.
    await expect(readPipelineFile(path.join(root, 'cmd.yaml'))).resolves.toMatchObject({ stages: [{ name: 'a', kind: 'cmd' }] });
  });

  it('reports a parse problem before looking at the disk', async () => {
    const root = project({ 'orrery.pipeline.yaml': 'stages:\n  a: {kind: nope, deps: [missing.txt]}\n' });
    expect((await refusal(path.join(root, 'orrery.pipeline.yaml'))).problems).toEqual([{ line: 2, field: 'stages.a.kind', message: expect.stringContaining("unknown kind 'nope'") }]);
  });
});
