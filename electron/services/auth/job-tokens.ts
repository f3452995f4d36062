import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateFile } from '../config/data-dir';

export const JOB_TOKEN_KEY_FILE = 'job-token.key';
const PREFIX = 'orrery-job.';
const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * Tokens for training jobs, each naming the one run it may write to. A token is the run id and
 * an HMAC of it under a key kept in the data dir: nothing to store per job, and a container
 * that outlives Orrery keeps a valid token when Orrery restarts and reattaches it.
 */
export class JobTokens {
  constructor(private readonly key: Buffer) {}

  /** The key from `<dataDir>/job-token.key`, created (owner-only) on first use. */
  static forDataDir(dataDir: string): JobTokens {
    const file = path.join(dataDir, JOB_TOKEN_KEY_FILE);
    try {
      fs.writeFileSync(file, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A key readable by others would let them forge any job's token.
    ensurePrivateFile(file);
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length < 32) throw new Error(`${file} is damaged (expected 64 hex characters); delete it and restart Orrery (running jobs will lose their tokens).`);
    return new JobTokens(key);
  }

  issue(runId: string): string {
    return `${PREFIX}${runId}.${this.mac(runId)}`;
  }

  /** The run a token was issued for, or null when it is not a valid job token. */
  verify(token: string): string | null {
    if (!token.startsWith(PREFIX)) return null;
    const [runId, mac, ...rest] = token.slice(PREFIX.length).split('.');
    if (runId === undefined || mac === undefined || rest.length > 0 || !RUN_ID.test(runId)) return null;
    const expected = Buffer.from(this.mac(runId));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected) ? runId : null;
  }

  static looksLikeJobToken(token: string): boolean {
    return token.startsWith(PREFIX);
  }

  private mac(runId: string): string {
    return createHmac('sha256', this.key).update(runId).digest('base64url');
  }
}
