import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHILD_SOURCE } from '../../../electron/services/store/integrity-check';
import { tempDir } from '../../helpers/temp-dir';

/** Alive and not a zombie (an orphan's exit may wait for a reaper that never comes here). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe.runIf(process.platform === 'linux')('the background integrity check, orphaned', () => {
  it('ends itself once the app that started it is killed with -9, though its check never returns', { timeout: 30_000 }, async () => {
    const dir = tempDir('orrery-orphan-check-');
    // A "better-sqlite3" whose quick_check never returns: one native call nothing interrupts.
    const blocking = path.join(dir, 'blocking-sqlite.cjs');
    fs.writeFileSync(blocking, 'module.exports = class { pragma() { Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); } close() {} };\n');
    const job = JSON.stringify({ module: blocking, file: path.join(dir, 'orrery.db'), maxProblems: 10 });
    // The app: starts the check as Orrery does, says the check's pid, then waits.
    const app = spawn(
      process.execPath,
      ['-e', `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(CHILD_SOURCE)}, ${JSON.stringify(job)}], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const checkPid = await new Promise<number>((resolve) => app.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(running(checkPid)).toBe(true); // checking, for as long as its parent lives

    app.kill('SIGKILL');
    await expect.poll(() => running(checkPid), { timeout: 10_000, interval: 200 }).toBe(false);
  });
});
