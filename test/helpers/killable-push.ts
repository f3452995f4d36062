import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * A push in a child process, killed with SIGKILL at a chosen point of its upload, as a crash or
 * `kill -9` of Orrery would stop it. The child runs the real OciClient and pushModel (bundled from
 * source with esbuild) with a FileUploadStateStore, and a fetch that halts at PATCH number `patch`:
 *
 * - `before`: halts before sending it; every earlier chunk was acknowledged and its state saved.
 * - `middle`: sends the first half of its body, then halts; the registry holds part of a chunk
 *   that no saved state accounts for.
 *
 * The child prints `halted` there and waits; the parent then kills it.
 */
export interface KilledPushOptions {
  /** e.g. `127.0.0.1:5000/models/big:v1` */
  reference: string;
  /** The model folder to push (its top-level entries become layers). */
  modelDir: string;
  card: { name: string; version: string };
  stateFile: string;
  chunkSize: number;
  chunkThreshold: number;
  patch: number;
  at: 'before' | 'middle';
}

const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '../..');

const CHILD_SOURCE = `
import { buildModelArtifact, modelFilesFromDir, pushModel } from './electron/services/registry/oci/model-artifact';
import { FileUploadStateStore, OciClient } from './electron/services/registry/oci/oci-client';
import { parseReference } from './electron/services/registry/oci/reference';

const o = JSON.parse(process.argv[2]);
let patches = 0;
const halt = () => {
  process.stdout.write('halted\\n');
  return new Promise(() => undefined);
};
const haltingFetch = (input, init) => {
  if (init?.method === 'PATCH' && ++patches === o.patch) {
    if (o.at === 'before') return halt();
    const body = Buffer.from(init.body);
    let sentHalf = false;
    const stream = new ReadableStream({
      pull(controller) {
        if (!sentHalf) {
          sentHalf = true;
          controller.enqueue(new Uint8Array(body.subarray(0, body.length >> 1)));
          return;
        }
        return halt();
      },
    });
    return fetch(input, { ...init, body: stream, duplex: 'half' });
  }
  return fetch(input, init);
};
const artifact = await buildModelArtifact(await modelFilesFromDir(o.modelDir), o.card);
const client = new OciClient({ fetch: haltingFetch, chunkSize: o.chunkSize, chunkThreshold: o.chunkThreshold, uploadStateStore: new FileUploadStateStore(o.stateFile) });
await pushModel(client, parseReference(o.reference), artifact);
process.stdout.write('finished\\n');
`;

/** Bundle the child into a fresh temp folder (esbuild takes a moment); the caller removes the folder. */
async function bundle(): Promise<{ dir: string; script: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-killable-push-'));
  const script = path.join(dir, 'push.mjs');
  await build({
    stdin: { contents: CHILD_SOURCE, resolveDir: root, loader: 'ts', sourcefile: 'killable-push-child.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: script,
    logLevel: 'silent',
  });
  return { dir, script };
}

/** Run the push until it halts, SIGKILL it there (after `settleMs`, so bytes in flight land), and wait for it to die. */
export async function pushKilledAt(options: KilledPushOptions, settleMs = 300): Promise<void> {
  const { dir, script } = await bundle();
  try {
    await runAndKill(script, options, settleMs);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function runAndKill(script: string, options: KilledPushOptions, settleMs: number): Promise<void> {
  const child = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the push never reached PATCH ${options.patch}:\n${output}`)), 30_000);
    const check = (): void => {
      if (output.includes('halted')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the push exited (${code}) before it halted:\n${output}`));
    });
  });
  await new Promise((r) => setTimeout(r, settleMs));
  child.kill('SIGKILL');
  await exited;
}
