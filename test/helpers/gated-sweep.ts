import fs from 'node:fs';
import path from 'node:path';
import type { SweepSpec } from '../../shared/contract/training-spec';
import { tempDir } from './temp-dir';

/**
 * A 2×2 grid sweep whose trials run as plain processes and wait for a gate file, so a test sees
 * the sweep before any trial has logged. Each trial logs val_loss = 1 - lr + depth / 10 once (and
 * acc = lr), so lr 0.3 with depth 1 (the grid's third trial) is the best, at 0.8.
 */
export const GRID_SWEEP: SweepSpec = {
  strategy: 'grid',
  space: { lr: { values: [0.1, 0.3] }, depth: { min: 1, max: 2, step: 1, integer: true } },
  maxTrials: 10,
  maxParallel: 2,
  objective: { metric: 'val_loss', mode: 'min' },
};

/** A fresh gate (not yet open) in a folder of its own (`dir`, for other files of the test). */
export function sweepGate(prefix: string): { dir: string; path: string; open(): void } {
  const dir = tempDir(prefix);
  // World-readable: a job started by root runs as an unprivileged uid, which must see the gate.
  fs.chmodSync(dir, 0o755);
  const gate = path.join(dir, 'go');
  return { dir, path: gate, open: () => fs.writeFileSync(gate, '') };
}

/** The trial's Python (for `python3 -c`): waits for the gate at `gatePath`, logs its metrics, ends. */
export function gatedTrialCode(gatePath: string): string {
  return [
    'import json, os, time',
    'p = json.loads(os.environ["ORRERY_PARAMS"])',
    `exec('while not os.path.exists(${JSON.stringify(gatePath)}): time.sleep(0.05)')`,
    'print("ORRERY_METRICS " + json.dumps({"step": 0, "val_loss": round(1 - p["lr"] + p["depth"] / 10, 6), "acc": p["lr"]}), flush=True)',
  ].join('; ');
}
