/**
 * Reading MLflow's MLmodel file (YAML) without a YAML library: only the parts Orrery uses, as
 * MLflow writes them (PyYAML's block style). The registry reads the flavors and the input schema;
 * serving also reads each flavor's settings, the signature and the input example's location.
 */

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
  return { flavors, inputSchema: signatureField(block(all, 'signature'), 'inputs') };
}

/** A JSON-string field of MLmodel's `signature` block (`inputs`, `outputs`, `params`), parsed. */
function signatureField(signature: Line[], key: string): unknown {
  const at = signature.findIndex((l) => l.text.startsWith(`${key}:`));
  const first = signature[at];
  if (!first) return null;
  const parts = [first.text.slice(key.length + 1).trim()];
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

/** MLmodel's `signature`: its inputs and outputs column lists (JSON strings in the file), parsed. */
export function mlmodelSignature(text: string): { inputs: unknown; outputs: unknown } | null {
  const signature = block(lines(text), 'signature');
  if (signature.length === 0) return null;
  return { inputs: signatureField(signature, 'inputs'), outputs: signatureField(signature, 'outputs') };
}

/**
 * The scalar settings of each flavor (`flavors.<flavor>.<key>: value`), e.g. python_function's
 * `loader_module` or sklearn's `serialization_format`. Nested blocks (`env:`) read as null.
 */
export function mlmodelFlavorSettings(text: string): Record<string, Record<string, string | null>> {
  const flavorLines = block(lines(text), 'flavors');
  const flavorIndent = flavorLines[0]?.indent;
  const out: Record<string, Record<string, string | null>> = {};
  let current: Record<string, string | null> | null = null;
  let keyIndent: number | undefined;
  for (const line of flavorLines) {
    const pair = keyValue(line.text);
    if (pair === null) continue;
    if (line.indent === flavorIndent) {
      current = pair.value === null ? {} : inlineMap(pair.value);
      out[pair.key] = current;
      keyIndent = undefined;
    } else if (current !== null && (keyIndent ?? line.indent) === line.indent) {
      keyIndent = line.indent;
      current[pair.key] = pair.value;
    }
  }
  return out;
}

/** The scalar settings of a top-level block, e.g. `saved_input_example_info`; null when absent. */
export function mlmodelBlockSettings(text: string, key: string): Record<string, string | null> | null {
  const body = block(lines(text), key);
  if (body.length === 0) return null;
  const indent = body[0]!.indent;
  const out: Record<string, string | null> = {};
  for (const line of body) {
    const pair = line.indent === indent ? keyValue(line.text) : null;
    if (pair !== null) out[pair.key] = pair.value;
  }
  return out;
}

/** `key: value` with the value unquoted; null for an empty value (a nested block follows) or YAML null. */
function keyValue(text: string): { key: string; value: string | null } | null {
  const match = /^([A-Za-z0-9_.-]+):(?:\s+(.*))?$/.exec(text);
  if (!match) return null;
  return { key: match[1]!, value: scalar(match[2]?.trim() ?? '') };
}

function scalar(raw: string): string | null {
  if (raw === '' || raw === 'null' || raw === '~') return null;
  if (raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'")) return raw.slice(1, -1).replaceAll("''", "'");
  if (raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"')) {
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }
  return raw;
}

/** A flat flow mapping such as `{}` or `{pickled_model: model.pkl}`; anything else reads as empty. */
function inlineMap(raw: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  if (!raw.startsWith('{') || !raw.endsWith('}')) return out;
  for (const part of raw.slice(1, -1).split(',')) {
    const pair = keyValue(part.trim());
    if (pair !== null) out[pair.key] = pair.value;
  }
  return out;
}
