import { randomBytes } from 'node:crypto';

/** ORRERY_TOKEN when set (scripts that need a fixed token), otherwise a fresh random one. */
export function chooseToken(env: NodeJS.ProcessEnv): string {
  const fixed = env.ORRERY_TOKEN?.trim();
  return fixed ? fixed : randomBytes(24).toString('base64url');
}
