import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseServedFlavor, SERVED_FLAVORS, servableFlavor } from '../../../electron/services/serving/model-flavors';
import { OrreryError } from '../../../shared/errors';

const folders: string[] = [];

function modelFolder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-flavors-'));
  folders.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function refusal(fn: () => unknown): OrreryError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrreryError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

afterEach(() => {
  for (const dir of folders.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

// As mlflow.sklearn.save_model writes it (MLflow 2.x), with a signature and an input example.
const SKLEARN_MLMODEL = `artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    model_path: model.pkl
    predict_fn: predict
    python_version: 3.11.2
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.2.1
mlflow_version: 2.9.2
model_uuid: 4f0c1b
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  type: dataframe
signature:
  inputs: '[{"type": "double", "name": "pixel_0_0", "required": true}, {"type": "double",
    "name": "pixel_0_1", "required": true}]'
  outputs: '[{"type": "long", "required": true}]'
  params: null
utc_time_created: '2024-01-01 00:00:00.000000'
`;

describe('servableFlavor', () => {
  it('serves an mlflow.sklearn folder as sklearn, with its signature and its input example as a request body', () => {
    const dir = modelFolder({ MLmodel: SKLEARN_MLMODEL, 'input_example.json': '{"columns": ["pixel_0_0", "pixel_0_1"], "data": [[0.5, 1.0]]}' });
    expect(servableFlavor(dir)).toEqual({
      flavor: 'sklearn',
      flavors: ['python_function', 'sklearn'],
      signature: {
        inputs: [
          { type: 'double', name: 'pixel_0_0', required: true },
          { type: 'double', name: 'pixel_0_1', required: true },
        ],
        outputs: [{ type: 'long', required: true }],
      },
      inputExample: { dataframe_split: { columns: ['pixel_0_0', 'pixel_0_1'], data: [[0.5, 1.0]] } },
    });
  });

  it("prefers MLflow's own serving example, and wraps records and arrays by their type", () => {
    const withServing = modelFolder({
      MLmodel: 'flavors:\n  sklearn:\n    pickled_model: m.pkl\nsaved_input_example_info:\n  artifact_path: input_example.json\n  serving_input_path: serving_input_example.json\n  type: dataframe\n',
      'input_example.json': '{"columns": ["a"], "data": [[1]]}',
      'serving_input_example.json': '{"dataframe_split": {"columns": ["a"], "data": [[2]]}}',
    });
    expect(servableFlavor(withServing).inputExample).toEqual({ dataframe_split: { columns: ['a'], data: [[2]] } });
    const records = modelFolder({
      MLmodel: 'flavors:\n  sklearn: {}\nsaved_input_example_info:\n  artifact_path: ex.json\n  pandas_orient: records\n  type: dataframe\n',
      'ex.json': '[{"a": 1}]',
    });
    expect(servableFlavor(records).inputExample).toEqual({ dataframe_records: [{ a: 1 }] });
    const array = modelFolder({
      MLmodel: 'flavors:\n  xgboost:\n    data: model.json\nsaved_input_example_info:\n  artifact_path: ex.json\n  type: ndarray\n',
      'ex.json': '{"inputs": [[1, 2]]}',
    });
    expect(servableFlavor(array)).toMatchObject({ flavor: 'xgboost', signature: null, inputExample: { inputs: [[1, 2]] } });
  });

  it('has no input example when the file is missing or lies outside the folder', () => {
    const missing = modelFolder({ MLmodel: 'flavors:\n  sklearn: {}\nsaved_input_example_info:\n  artifact_path: gone.json\n  type: dataframe\n' });
    expect(servableFlavor(missing).inputExample).toBeNull();
    const outside = modelFolder({ MLmodel: 'flavors:\n  sklearn: {}\nsaved_input_example_info:\n  artifact_path: ../../etc/passwd\n  type: dataframe\n' });
    expect(servableFlavor(outside).inputExample).toBeNull();
    expect(servableFlavor(modelFolder({ MLmodel: 'flavors:\n  sklearn: {}\n' })).inputExample).toBeNull();
  });

  it('serves a custom python_function loader as python_function', () => {
    const dir = modelFolder({ MLmodel: 'flavors:\n  python_function:\n    code: code\n    data: data\n    loader_module: my_model\n    python_version: 3.11.2\n' });
    expect(servableFlavor(dir).flavor).toBe('python_function');
    // PyYAML quotes some scalars; a quoted mlflow loader is still recognised.
    const quoted = modelFolder({ MLmodel: "flavors:\n  python_function:\n    loader_module: 'mlflow.xgboost'\n    data: \"model.ubj\"\n" });
    expect(servableFlavor(quoted).flavor).toBe('xgboost');
  });

  it('refuses a folder without MLmodel, saying Orrery serves MLflow-format folders', () => {
    const error = refusal(() => servableFlavor(modelFolder({ 'model.pkl': 'x' })));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toMatch(/has no MLmodel file/);
    expect(error.message).toMatch(/MLflow-format model folders/);
  });

  it('refuses an unsupported flavor, naming the flavors the model has and those Orrery serves', () => {
    const dir = modelFolder({ MLmodel: 'flavors:\n  python_function:\n    loader_module: mlflow.pytorch\n    data: data\n  pytorch:\n    model_data: data\n' });
    const error = refusal(() => servableFlavor(dir));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain("the model's flavors are python_function, pytorch");
    expect(error.message).toContain('loader_module is mlflow.pytorch');
    for (const served of SERVED_FLAVORS) expect(error.message).toContain(served);
  });
});

describe('chooseServedFlavor', () => {
  it('follows python_function\'s loader_module first, then the native flavors', () => {
    expect(chooseServedFlavor({ python_function: { loader_module: 'mlflow.xgboost' }, xgboost: {} })).toBe('xgboost');
    expect(chooseServedFlavor({ python_function: { loader_module: 'mlflow.sklearn' } })).toBe('sklearn');
    expect(chooseServedFlavor({ python_function: { loader_module: 'custom_loader' }, sklearn: {} })).toBe('python_function');
    // mlflow.pyfunc.model (a PythonModel) needs MLflow; the sklearn flavor beside it still serves.
    expect(chooseServedFlavor({ python_function: { loader_module: 'mlflow.pyfunc.model' }, sklearn: {} })).toBe('sklearn');
    expect(chooseServedFlavor({ xgboost: { data: 'model.ubj' } })).toBe('xgboost');
  });

  it('refuses a PythonModel without a native flavor and an MLmodel with no flavors', () => {
    expect(refusal(() => chooseServedFlavor({ python_function: { loader_module: 'mlflow.pyfunc.model' } })).message).toMatch(/needs MLflow itself/);
    expect(refusal(() => chooseServedFlavor({})).message).toMatch(/names no flavors/);
  });
});
