import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsOf, notUnitTests } from '../suites';

const root = path.resolve(import.meta.dirname, '../..');
const at = (file: string) => path.join(root, file);

// `npm run test:unit` leaves out what test/suites.ts finds a file needs: these check it finds it,
// also when the need hides in a helper the test imports.
describe('which tests npm run test:unit runs', () => {
  it('leaves out every browser test', () => {
    const e2e = fs.readdirSync(at('test/e2e')).filter((f) => f.endsWith('.test.ts'));
    expect(e2e.length).toBeGreaterThan(0);
    for (const file of e2e) expect(notUnitTests(), file).toContain(`test/e2e/${file}`);
  });

  it('names what a file needs, through the helpers it imports', () => {
    expect(needsOf(at('test/e2e/run-compare.e2e.test.ts'))).toEqual(expect.arrayContaining(['a browser', 'the built app']));
    expect(needsOf(at('test/server/tracking-rpc.test.ts'))).toContain('the whole app');
    expect(needsOf(at('test/main/main-process.test.ts'))).toContain('the whole app');
    expect(needsOf(at('test/images/python-image.test.ts'))).toContain('a Docker engine');
  });

  it('keeps a service test on a temp store, and pure logic', () => {
    expect(needsOf(at('test/services/tracking/tracking-service.test.ts'))).toEqual([]);
    expect(needsOf(at('test/services/tracking/search-filter.test.ts'))).toEqual([]);
  });
});
