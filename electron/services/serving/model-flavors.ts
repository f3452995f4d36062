import fs from 'node:fs';
import path from 'node:path';
import { invalid } from '../../../shared/errors';
import { mlmodelBlockSettings, mlmodelFlavorSettings, mlmodelSignature } from '../../../shared/mlmodel-text';

/** The flavors orrery/serve:local loads (resources/images/serve/orrery_serve/model_loading.py). */
export const SERVED_FLAVORS = ['sklearn', 'xgboost', 'python_function'] as const;
export type ServedFlavor = (typeof SERVED_FLAVORS)[number];

export const SERVED_FLAVORS_TEXT =
  'Orrery serves sklearn (pickle or cloudpickle), xgboost, and python_function with a custom loader_module ' +
  '(or loader_module mlflow.sklearn / mlflow.xgboost)';

export interface ServableModel {
  /** The flavor the model server will load the folder with. */
  flavor: ServedFlavor;
  /** Every flavor MLmodel names. */
  flavors: string[];
  /** MLmodel `signature` (inputs and outputs column lists, parsed); null when there is none. */
  signature: { inputs: unknown; outputs: unknown } | null;
  /** The saved input example as a ready /invocations JSON body; null when there is none. */
  inputExample: unknown;
}

const MLMODEL = 'MLmodel';
/** An input example bigger than this is not read (it is for a warm-up inference). */
const MAX_INPUT_EXAMPLE_BYTES = 1024 * 1024;

/**
 * Which flavor Orrery serves a model folder with, or why it cannot: an `invalid` error naming the
 * flavors the model has and those Orrery serves. The same choice as the model server's.
 */
export function servableFlavor(modelDir: string): ServableModel {
  const file = path.join(modelDir, MLMODEL);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw invalid(
        `the model folder has no MLmodel file (${file}): Orrery serves MLflow-format model folders ` +
          '(mlflow.sklearn.save_model, or a folder with an MLmodel file naming its flavors)',
      );
    }
    throw invalid(`cannot read the model's MLmodel file ${file}: ${(error as Error).message}`);
  }
  const settings = mlmodelFlavorSettings(text);
  const flavor = chooseServedFlavor(settings);
  return { flavor, flavors: Object.keys(settings), signature: mlmodelSignature(text), inputExample: readInputExample(modelDir, text) };
}

/** The served flavor for MLmodel's flavors and their settings (model_loading.choose_flavor in Python). */
export function chooseServedFlavor(flavors: Record<string, Record<string, string | null>>): ServedFlavor {
  const names = Object.keys(flavors);
  if (names.length === 0) throw invalid(`the model's MLmodel file names no flavors; ${SERVED_FLAVORS_TEXT}`);
  const loader = flavors.python_function?.loader_module ?? null;
  if (loader === 'mlflow.sklearn') return 'sklearn';
  if (loader === 'mlflow.xgboost') return 'xgboost';
  if (loader !== null && !loader.startsWith('mlflow.')) return 'python_function';
  // Another MLflow loader (mlflow.pyfunc.model needs MLflow itself): a native flavor still serves.
  if (flavors.sklearn) return 'sklearn';
  if (flavors.xgboost) return 'xgboost';
  const detail = loader !== null ? ` (python_function's loader_module is ${loader}, which needs MLflow itself)` : '';
  throw invalid(`the model's flavors are ${names.join(', ')}${detail}; ${SERVED_FLAVORS_TEXT}`);
}

/**
 * MLmodel `saved_input_example_info` as a request body: MLflow's own serving example when it wrote
 * one (`serving_input_path`), else the example file wrapped by its type (pandas split or records
 * orient, or an array / object as `inputs`). Null when absent, unreadable or too big.
 */
function readInputExample(modelDir: string, text: string): unknown {
  const info = mlmodelBlockSettings(text, 'saved_input_example_info');
  if (info === null) return null;
  const serving = readJsonInside(modelDir, info.serving_input_path ?? null);
  if (serving !== undefined) return serving;
  const example = readJsonInside(modelDir, info.artifact_path ?? null);
  if (example === undefined) return null;
  if (example !== null && typeof example === 'object' && !Array.isArray(example)) {
    if (['dataframe_split', 'dataframe_records', 'instances', 'inputs'].some((key) => key in example)) return example;
    if (info.type === 'dataframe' && 'columns' in example && 'data' in example) return { dataframe_split: example };
    if (info.type === 'ndarray' && 'inputs' in example) return example;
  }
  if (info.type === 'dataframe' && Array.isArray(example)) return { dataframe_records: example };
  return { inputs: example };
}

/** A JSON file inside the model folder; undefined when not named, outside, missing, too big or not JSON. */
function readJsonInside(modelDir: string, relative: string | null): unknown {
  if (relative === null) return undefined;
  const root = path.resolve(modelDir);
  const file = path.resolve(root, relative);
  if (!file.startsWith(root + path.sep)) return undefined;
  try {
    if (fs.statSync(file).size > MAX_INPUT_EXAMPLE_BYTES) return undefined;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}
