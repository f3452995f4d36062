import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineDefinition } from '../../../electron/services/pipelines/pipeline-definition';
import { PipelineRepository } from '../../../electron/services/pipelines/pipeline-repository';
import { PipelineTriggers } from '../../../electron/services/pipelines/pipeline-triggers';
import type { TriggerCoordinator } from '../../../electron/services/pipelines/triggers/trigger-coordinator';
import { openDatabase } from '../../../electron/services/store/database';
import { tempDir } from '../../helpers/temp-dir';

function setup() {
  const folder = tempDir('orrery-triggers-');
  fs.mkdirSync(path.join(folder, 'data'));
  const definition: PipelineDefinition = {
    file: path.join(folder, 'dvc.yaml'),
    folder,
    name: 'p',
    dialect: 'dvc',
    triggers: [],
    stages: [{ kind: 'cmd', name: 'train', needs: [], deps: [path.join(folder, 'data')], outs: [path.join(folder, 'model.pkl')], params: {}, line: 2, cmd: ['true'], wdir: folder, frozen: false, alwaysChanged: false, image: 'x', paramFiles: [] }],
  };
  const armed: string[] = [];
  const coordinator = { setTriggers: (file: string) => void armed.push(file) } as unknown as TriggerCoordinator;
  const triggers = new PipelineTriggers(new PipelineRepository(openDatabase({ dataDir: tempDir() }).db), coordinator, () => 0);
  return { folder, definition, triggers, armed };
}

describe('pipeline triggers added from the app or the command line', () => {
  it('refuses a dataset trigger on a folder holding the pipeline\'s own outs: each run would start the next', () => {
    const { folder, definition, triggers } = setup();
    expect(() => triggers.add(definition, { dataset: folder })).toThrow(/trigger\.dataset: .* holds this pipeline's own outs \(.*model\.pkl\); each run would trigger the next/);
    expect(triggers.list()).toEqual([]);
  });

  it('adds a dataset trigger on the data alone, relative to the pipeline\'s folder, and arms it', () => {
    const { folder, definition, triggers, armed } = setup();
    const view = triggers.add(definition, { dataset: 'data' });
    expect(view).toMatchObject({ kind: 'dataset', target: path.join(folder, 'data'), source: 'user' });
    expect(armed).toEqual([definition.file]);
    expect(triggers.list(definition.file)).toHaveLength(1);
  });

  it('refuses a bad cron, a path that does not exist and a commit target that is not a repository, naming the field', () => {
    const { definition, triggers } = setup();
    expect(() => triggers.add(definition, { cron: '61 * * * *' })).toThrow(/^trigger\.cron: /);
    expect(() => triggers.add(definition, { dataset: 'nope' })).toThrow(/^trigger\.dataset: '.*nope' does not exist/);
    expect(() => triggers.add(definition, { commit: '.:main' })).toThrow(/^trigger\.commit: '.*' is not a git repository/);
  });
});
