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
 * The body the "Try it" box starts with: one row as `dataframe_split` with the columns of the
 * model's signature, else the first logged input row as `dataframe_records`, else `inputs`.
 */
export function exampleBody(inputSchema: unknown, loggedInputs?: unknown): string {
  if (Array.isArray(inputSchema) && inputSchema.length > 0 && inputSchema.every((c) => c && typeof c === 'object' && typeof (c as { name?: unknown }).name === 'string')) {
    const columns = inputSchema as Array<{ name: string; type?: string }>;
    return JSON.stringify({ dataframe_split: { columns: columns.map((c) => c.name), data: [columns.map((c) => sampleOf(c.type))] } }, null, 2);
  }
  if (Array.isArray(loggedInputs) && loggedInputs.length > 0) return JSON.stringify({ dataframe_records: [loggedInputs[0]] }, null, 2);
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

/** The command a caller runs against the stable URL. */
export function curlExample(d: { url: string; settings: { requireToken: boolean } }, body: string | null): string {
  const auth = d.settings.requireToken ? ' \\\n  -H "Authorization: Bearer $ORRERY_DEPLOY_TOKEN"' : '';
  const data = body === null ? '{"inputs": [[0.0]]}' : JSON.stringify(JSON.parse(body));
  return `curl -X POST ${d.url} \\\n  -H 'Content-Type: application/json'${auth} \\\n  -d '${data.replace(/'/g, "'\\''")}'`;
}
