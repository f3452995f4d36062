import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * MLflow model folders for serving tests, written by scikit-learn itself inside orrery/python:local
 * (test/fixtures/serving/rollout_models.py), with the predictions scikit-learn gives for the test
 * rows, so a test compares what a deployment answers with what the model itself predicts.
 */
export const MODEL_IMAGE = 'orrery/python:local';
const SCRIPT_DIR = path.resolve(import.meta.dirname, '../fixtures/serving');
const execFileAsync = promisify(execFile);

export interface ModelFolders {
  /** sklearn flavor, LogisticRegression on iris, with a signature and an input example. */
  irisV1: string;
  /** sklearn flavor, a depth-1 decision tree on iris (never class 2: it disagrees with v1 on a third of the rows). */
  irisV2: string;
  /** python_function (custom loader): v1's model, but predict raises when a row's sepal_width is negative. */
  flaky: string;
  /** python_function (custom loader): v1's model, sleeping `slowMs` per predict call. */
  slow: string;
  /** python_function whose loader raises: its replica never becomes ready. */
  broken: string;
  /** A pickled model without an MLmodel file. */
  noMlmodel: string;
  /** An MLmodel whose only flavor is pytorch. */
  unsupported: string;
  expected: {
    columns: string[];
    rows: number[][];
    /** scikit-learn's own predict on `rows`. */
    v1: number[];
    v2: number[];
  };
}

/** Writes the folders under `dir` (created, world-readable so the container user can write there). */
export async function makeModelFolders(dir: string, options: { slowMs?: number } = {}): Promise<ModelFolders> {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const user = `${process.getuid?.() ?? 1000}:${process.getgid?.() ?? 1000}`;
  const args = ['run', '--rm', '--network', 'none', '--user', user, '-v', `${SCRIPT_DIR}:/fixtures:ro`, '-v', `${dir}:/out`, MODEL_IMAGE];
  try {
    await execFileAsync('docker', [...args, 'python3', '/fixtures/rollout_models.py', '/out', String(options.slowMs ?? 150)], { timeout: 120_000 });
  } catch (error) {
    const e = error as Error & { stderr?: string };
    throw new Error(`rollout_models.py failed in ${MODEL_IMAGE}: ${e.stderr?.trim() || e.message}`);
  }
  const at = (name: string) => path.join(dir, name);
  return {
    irisV1: at('iris_v1'),
    irisV2: at('iris_v2'),
    flaky: at('flaky'),
    slow: at('slow'),
    broken: at('broken'),
    noMlmodel: at('no_mlmodel'),
    unsupported: at('unsupported'),
    expected: JSON.parse(fs.readFileSync(at('expected.json'), 'utf8')) as ModelFolders['expected'],
  };
}

/** A JSON scoring body (pandas split orient) for some of the expected rows. */
export function irisBody(folders: ModelFolders, rows: number[][] = folders.expected.rows): string {
  return JSON.stringify({ dataframe_split: { columns: folders.expected.columns, data: rows } });
}
