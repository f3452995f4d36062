import type { ModelFlavor } from '../../../shared/contract/registry';

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

interface Line {
  indent: number;
  text: string;
}

function lines(text: string): Line[] {
  return text
    .split(/\r?\n/)
    .filter((raw) => raw.trim() !== '' && !raw.trimStart().startsWith('#'))
    .map((raw) => ({ indent: raw.length - raw.trimStart().length, text: raw.trim() }));
}

/** The lines of a top-level block `key:` (everything more indented that follows it). */
function block(all: Line[], key: string): Line[] {
  const start = all.findIndex((l) => l.indent === 0 && l.text === `${key}:`);
  if (start < 0) return [];
  const out: Line[] = [];
  for (const line of all.slice(start + 1)) {
    if (line.indent === 0) break;
    out.push(line);
  }
  return out;
}

/**
 * Only what the registry needs from MLmodel YAML: the keys of `flavors` and `signature.inputs`
 * (a JSON string, single- or double-quoted, possibly folded over several lines by PyYAML).
 */
export function parseMlmodel(text: string): { flavors: string[]; inputSchema: unknown } {
  const all = lines(text);
  const flavorLines = block(all, 'flavors');
  const childIndent = flavorLines[0]?.indent;
  const flavors = flavorLines
    .filter((l) => l.indent === childIndent && /^[A-Za-z0-9_.-]+:/.test(l.text))
    .map((l) => l.text.slice(0, l.text.indexOf(':')));
  return { flavors, inputSchema: signatureInputs(block(all, 'signature')) };
}

function signatureInputs(signature: Line[]): unknown {
  const at = signature.findIndex((l) => l.text.startsWith('inputs:'));
  const first = signature[at];
  if (!first) return null;
  const parts = [first.text.slice('inputs:'.length).trim()];
  for (const line of signature.slice(at + 1)) {
    if (line.indent <= first.indent) break;
    parts.push(line.text);
  }
  // A folded scalar's line breaks read as single spaces.
  const scalar = parts.join(' ').trim();
  let json: string;
  if (scalar.startsWith("'") && scalar.endsWith("'") && scalar.length >= 2) json = scalar.slice(1, -1).replaceAll("''", "'");
  else if (scalar.startsWith('"') && scalar.endsWith('"') && scalar.length >= 2) {
    try {
      json = JSON.parse(scalar) as string;
    } catch {
      return null;
    }
  } else json = scalar;
  if (json === '' || json === 'null') return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}
