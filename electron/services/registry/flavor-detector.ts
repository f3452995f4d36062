import type { ModelFlavor } from '../../../shared/contract/registry';
import { parseMlmodel } from '../../../shared/mlmodel-text';

export { parseMlmodel };

export interface DetectedFlavor {
  flavor: ModelFlavor;
  /** MLmodel `flavors` keys; for other formats the one flavor found. */
  flavors: string[];
  inputSchema: unknown;
}

const BY_EXTENSION: Array<[ModelFlavor, readonly string[]]> = [
  ['onnx', ['.onnx']],
  ['safetensors', ['.safetensors']],
  ['pytorch', ['.pt', '.pth']],
  ['sklearn', ['.pkl', '.pickle', '.joblib']],
];

/** The MLmodel file of a folder: at its top, as MLflow writes it. */
export const MLMODEL = 'MLmodel';

/**
 * The format of a model folder from its file names (and, for an MLflow model, its MLmodel text).
 * An MLmodel file wins; otherwise the first extension found in the order above.
 */
export function detectFlavor(paths: readonly string[], mlmodelText: string | null): DetectedFlavor {
  if (paths.includes(MLMODEL) && mlmodelText !== null) {
    const parsed = parseMlmodel(mlmodelText);
    return { flavor: 'mlflow', flavors: parsed.flavors, inputSchema: parsed.inputSchema };
  }
  for (const [flavor, extensions] of BY_EXTENSION) {
    if (paths.some((p) => extensions.some((ext) => p.toLowerCase().endsWith(ext)))) return { flavor, flavors: [flavor], inputSchema: null };
  }
  return { flavor: 'unknown', flavors: [], inputSchema: null };
}
