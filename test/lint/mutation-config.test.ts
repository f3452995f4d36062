import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module without types: the list Stryker and the score script share.
import { MUTATED_MODULES } from '../../scripts/mutation-modules.mjs';
import mutationVitest from '../../vitest.mutation.config';

const root = path.resolve(import.meta.dirname, '../..');
const mutated = (MUTATED_MODULES as Array<{ name: string; files: string[] }>).flatMap((m) => m.files.map((f) => f.replace(/:[\d:-]+$/, '')));

// `npm run test:mutation` is not run in CI (too slow on two cores), so a file moved or renamed
// would leave it mutating nothing without anyone noticing: these checks run with the normal tests.
describe('the mutation-testing setup points at files that exist', () => {
  it('every mutated module file exists', () => {
    for (const file of mutated) expect(fs.existsSync(path.join(root, file)), file).toBe(true);
  });

  it("the TypeScript checker's project lists exactly the mutated files", () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.mutation.json'), 'utf8')) as { files: string[] };
    expect([...tsconfig.files].sort()).toEqual([...new Set(mutated)].sort());
  });

  it('every test file Stryker runs exists', () => {
    const include = mutationVitest.test?.include ?? [];
    expect(include.length).toBeGreaterThan(0);
    for (const file of include) expect(fs.existsSync(path.join(root, file)), file).toBe(true);
  });
});
