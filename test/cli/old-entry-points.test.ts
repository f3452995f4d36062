import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('the entry points from before the command line moved to dist/cli', () => {
  it('forward to the new ones, so an npm-linked orrery or an old script runs the current build', () => {
    // test/global-setup.ts has built the app.
    for (const old of ['dist/server/cli.js', 'dist/server/orrery-cli.js']) {
      expect(fs.statSync(path.join(root, old)).mode & 0o111).not.toBe(0);
    }
    expect(execFileSync(process.execPath, [path.join(root, 'dist/server/orrery-cli.js'), '--help'], { encoding: 'utf8' })).toMatch(/^Usage: orrery /);
    expect(execFileSync(process.execPath, [path.join(root, 'dist/server/cli.js'), '--help'], { encoding: 'utf8' })).toMatch(/^Usage: npm run serve/);
  });
});
