import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { appVersion } from '../../shared/version';

describe('version', () => {
  it('the app reports the version in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(appVersion).toBe(pkg.version);
  });
});
