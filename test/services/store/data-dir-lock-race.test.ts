import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_FILE } from '../../../electron/services/store/data-dir-lock';
import { tempDir } from '../../helpers/temp-dir';

// Real processes race for one stale lock: the lock module is bundled to plain JS so each child
// loads exactly the code the app uses.
let bundle = '';
beforeAll(async () => {
  bundle = path.join(tempDir('orrery-lock-bundle-'), 'data-dir-lock.cjs');
  await build({
    entryPoints: [path.resolve(import.meta.dirname, '../../../electron/services/store/data-dir-lock.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    logLevel: 'error',
  });
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/**
 * Each contender says "ready" and blocks (no CPU) until it reads a start time; then it spins until
 * that moment, so all of them try within the same millisecond. It tries to take the lock and says
 * how that went. A winner keeps the lock (stays alive) until its stdin closes, so no loser can
 * legitimately take over after it.
 */
const CONTENDER = `
const fs = require('node:fs');
const { DataDirLock } = require(process.argv[1]);
const dir = process.argv[2];
process.stdout.write('ready\\n');
const buffer = Buffer.alloc(64);
let line = '';
while (!line.includes('\\n')) {
  try {
    const n = fs.readSync(0, buffer);
    if (n === 0) process.exit(1);
    line += buffer.toString('utf8', 0, n);
  } catch (error) {
    if (error.code !== 'EAGAIN') throw error;
  }
}
const startAt = Number(line.trim());
while (Date.now() < startAt) {}
try {
  new DataDirLock(dir).acquire();
  process.stdout.write('won\\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} catch (error) {
  process.stdout.write('lost ' + error.message + '\\n');
  process.exit(0);
}
`;

interface Contender {
  child: ChildProcess;
  lines: string[];
  waitFor(count: number): Promise<void>;
}

function contender(dir: string): Contender {
  const child = spawn(process.execPath, ['-e', CONTENDER, bundle, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  let buffered = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.on('exit', () => {
    for (const wake of waiters.splice(0)) wake();
  });
  return {
    child,
    lines,
    async waitFor(count) {
      while (lines.length < count) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`contender ${child.pid} exited after ${JSON.stringify(lines)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
  };
}

/** A pid that certainly belonged to a process that is gone now. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('data dir lock: racing for a stale lock', () => {
  it('lets exactly one of many processes take over a stale lock; the others are told who holds it', { timeout: 180_000 }, async () => {
    const ROUNDS = 6;
    const CONTENDERS = 12;
    for (let round = 0; round < ROUNDS; round++) {
      const dir = tempDir();
      const stale = await deadPid();
      fs.writeFileSync(path.join(dir, LOCK_FILE), `${stale}\n`);
      const racers = Array.from({ length: CONTENDERS }, () => contender(dir));
      await Promise.all(racers.map((r) => r.waitFor(1)));
      const startAt = Date.now() + 50;
      for (const racer of racers) racer.child.stdin!.write(`${startAt}\n`);
      await Promise.all(racers.map((r) => r.waitFor(2)));

      const outcomes = racers.map((r) => r.lines[1]!);
      const winners = racers.filter((r) => r.lines[1] === 'won');
      expect(winners.map((w) => w.child.pid), `round ${round}: ${JSON.stringify(outcomes)}`).toHaveLength(1);
      const winner = winners[0]!.child.pid!;
      for (const outcome of outcomes.filter((o) => o !== 'won')) {
        expect(outcome).toContain(`already in use by PID ${winner}`);
      }
      expect(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim()).toBe(String(winner));
      // Nothing but the lock itself is left behind (no claim or temp files).
      expect(fs.readdirSync(dir)).toEqual([LOCK_FILE]);

      const exited = new Promise((resolve) => winners[0]!.child.once('exit', resolve));
      winners[0]!.child.stdin!.end();
      await exited;
    }
  });
});
