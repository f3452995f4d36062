import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it were the file at `file`, and returns the rules that fired. */
async function rulesFired(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

/** The messages of the rules that fired. */
async function messagesFired(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.message);
}

describe("DESIGN.md's import arrows are enforced by npm run lint", () => {
  it.each([
    ['shared/contract/x.ts', "import { composeApp } from '../../electron/services/compose';"],
    ['electron/services/x.ts', "import { startOrrery } from '../server/start-orrery';"],
    ['electron/services/x.ts', "import { pages } from '../../renderer/src/pages/pages';"],
    ['electron/server/x.ts', "import { isAppUrl } from '../main/app-origin';"],
    ['electron/server/x.ts', "import { connect } from '../cli/connection';"],
    ['electron/services/x.ts', "import { connect } from '../cli/connection';"],
    ['electron/main/x.ts', "import { connect } from '../cli/connection';"],
    ['electron/cli/x.ts', "import { isAppUrl } from '../main/app-origin';"],
    ['electron/preload/x.ts', "import { RpcDispatcher } from '../services/rpc/dispatcher';"],
    ['renderer/src/x.ts', "import { EventBus } from '../../electron/services/events/event-bus';"],
  ])('%s may not: %s', async (file, code) => {
    expect(await rulesFired(file, `${code}\nexport const used = 1;\n`)).toContain('import-x/no-restricted-paths');
  });

  it.each([
    ['electron/services/registry/x.ts', "import { TrackingService } from '../tracking/tracking-service';"],
    ['electron/services/tracking/x.ts', "import { JobRepository } from '../training/job-repository';"],
    ['electron/services/training/x.ts', "import type { HardwareService } from '../hardware/hardware-service';"],
    ['electron/services/serving/x.ts', "import { ModelRegistryService } from '../registry/model-registry-service';"],
    ['electron/services/monitoring/x.ts', "import { TrackingService } from '../tracking/tracking-service';"],
  ])('areas reach each other only through ports: %s may not: %s', async (file, code) => {
    const messages = await messagesFired(file, `${code}\nexport const used = 1;\n`);
    const area = file.split('/')[2];
    expect(messages).toContainEqual(expect.stringContaining(`electron/services/${area} may not import another area`));
    // The message says where the code should go instead.
    expect(messages).toContainEqual(expect.stringContaining(`electron/services/${area}/ports.ts`));
  });

  it('an area may use its own folder and the shared service folders (store, events, docker, streams)', async () => {
    const code = [
      "import type { RunArtifactsReader } from './ports';",
      "import { EventBus } from '../events/event-bus';",
      "import { ContainerRunner } from '../docker/container-runner';",
      "import { openDatabase } from '../store/database';",
      'export const used = [EventBus, ContainerRunner, openDatabase] as unknown as RunArtifactsReader;',
    ].join('\n');
    expect((await rulesFired('electron/services/registry/y.ts', `${code}\n`)).filter((r) => r === 'import-x/no-restricted-paths')).toEqual([]);
    expect(await rulesFired('electron/services/z.ts', "import { TrackingService } from './tracking/tracking-service';\nexport const t = TrackingService;\n")).toEqual([]);
  });

  it("only main and preload may import 'electron'; no Node in shared, preload or renderer", async () => {
    expect(await rulesFired('electron/services/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toContain('no-restricted-imports');
    expect(await rulesFired('shared/x.ts', "import fs from 'node:fs';\nexport const f = fs;\n")).toContain('import-x/no-nodejs-modules');
    expect(await rulesFired('renderer/src/x.ts', "import path from 'node:path';\nexport const p = path;\n")).toContain('import-x/no-nodejs-modules');
    // The client is shared by the page and the command line: web globals only, no Node.
    expect(await rulesFired('shared/client/x.ts', "import { request } from 'node:http';\nexport const r = request;\n")).toContain('import-x/no-nodejs-modules');
  });

  it('allows the arrows DESIGN.md draws', async () => {
    expect(await rulesFired('electron/main/x.ts', "import { startOrrery } from '../server/start-orrery';\nexport const s = startOrrery;\n")).toEqual([]);
    expect(await rulesFired('renderer/src/x.ts', "import { createClient } from '../../shared/client';\nexport const c = createClient;\n")).toEqual([]);
    expect(await rulesFired('electron/cli/x.ts', "import { createClient } from '../../shared/client';\nexport const c = createClient;\n")).toEqual([]);
    expect(await rulesFired('electron/cli/y.ts', "import { createHttpTransport } from '../../shared/client/http-transport';\nexport const t = createHttpTransport;\n")).toEqual([]);
    expect(await rulesFired('electron/cli/z.ts', "import { startOrrery } from '../server/start-orrery';\nexport const s = startOrrery;\n")).toEqual([]);
    expect(await rulesFired('electron/main/y.ts', "import { app } from 'electron';\nexport const a = app;\n")).toEqual([]);
  });
});
