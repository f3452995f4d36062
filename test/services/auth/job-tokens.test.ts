import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_TOKEN_KEY_FILE, JobTokens } from '../../../electron/services/auth/job-tokens';
import { tempDir } from '../../helpers/temp-dir';

const RUN = 'a'.repeat(32);

describe('job tokens', () => {
  it('verify to the run they were issued for, with the same key after a restart', () => {
    const dataDir = tempDir();
    const token = JobTokens.forDataDir(dataDir).issue(RUN);
    expect(JobTokens.forDataDir(dataDir).verify(token)).toBe(RUN);
    expect(JobTokens.forDataDir(tempDir()).verify(token)).toBeNull();
  });

  it('refuse a changed run id, a changed or cut MAC, and the user token', () => {
    const tokens = JobTokens.forDataDir(tempDir());
    const token = tokens.issue(RUN);
    expect(tokens.verify(token.replace(RUN, 'b'.repeat(32)))).toBeNull();
    expect(tokens.verify(token.slice(0, -1))).toBeNull();
    expect(tokens.verify(`${token}.x`)).toBeNull();
    expect(tokens.verify('some-user-token')).toBeNull();
  });

  it('keep the key owner-only: a new key is 0600 and a loose one is tightened', () => {
    const dataDir = tempDir();
    JobTokens.forDataDir(dataDir);
    const file = path.join(dataDir, JOB_TOKEN_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    fs.chmodSync(file, 0o644);
    JobTokens.forDataDir(dataDir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('say which file is damaged rather than issue weak tokens', () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, JOB_TOKEN_KEY_FILE), 'abc', { mode: 0o600 });
    expect(() => JobTokens.forDataDir(dataDir)).toThrow(/job-token\.key is damaged/);
  });
});
