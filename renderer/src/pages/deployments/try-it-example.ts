/** A value of an MLflow column type for an example row. */
function sampleOf(type: string | undefined): unknown {
  switch (type) {
    case 'string':
      return 'a';
    case 'boolean':
      return false;
    case 'integer':
    case 'long':
      return 0;
    default:
      return 0.0;
  }
}

/**
 * The body the "Try it" box starts with: the newest logged request's first row as
 * `dataframe_records` (real values, not a row of zeros), else one row of the signature's columns
 * as `dataframe_split`, else `inputs`.
 */
export function exampleBody(inputSchema: unknown, loggedInputs?: unknown): string {
  if (Array.isArray(loggedInputs) && loggedInputs.length > 0 && loggedInputs[0] !== null && typeof loggedInputs[0] === 'object') {
    return JSON.stringify({ dataframe_records: [loggedInputs[0]] }, null, 2);
  }
  if (Array.isArray(inputSchema) && inputSchema.length > 0 && inputSchema.every((c) => c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string')) {
    const columns = inputSchema as Array<{ name: string; type?: string }>;
    return JSON.stringify({ dataframe_split: { columns: columns.map((c) => c.name), data: [columns.map((c) => sampleOf(c.type))] } }, null, 2);
  }
  return JSON.stringify({ inputs: [[0.0]] }, null, 2);
}

/** Why a typed body will not be sent, or null when it is a JSON object. */
export function bodyError(text: string): string | null {
  if (text.trim() === '') return 'Type a JSON body, like {"inputs": [[1, 2]]}.';
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'The body must be a JSON object with one of dataframe_split, dataframe_records, instances or inputs.';
    return null;
  } catch (err) {
    return `Not JSON: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** A response body shown pretty when it is JSON, as it came otherwise. */
export function prettyBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/** The command a caller runs against the stable URL; `<token>` stands for the bearer token until it is shown. */
export function curlExample(d: { url: string; settings: { requireToken: boolean } }, body: string | null, token: string | null = null): string {
  const auth = d.settings.requireToken ? ` \\\n  -H "Authorization: Bearer ${token ?? '<token>'}"` : '';
  const data = body === null ? '{"inputs": [[0.0]]}' : JSON.stringify(JSON.parse(body));
  return `curl -X POST ${d.url} \\\n  -H 'Content-Type: application/json'${auth} \\\n  -d '${data.replace(/'/g, "'\\''")}'`;
}
