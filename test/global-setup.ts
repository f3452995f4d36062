import { execFileSync } from 'node:child_process';

/** Build once before any test starts a server, so parallel `npm run serve` calls never rebuild dist/. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: new URL('..', import.meta.url).pathname, stdio: 'inherit' });
}
