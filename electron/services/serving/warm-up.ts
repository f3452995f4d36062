import http from 'node:http';
import { servableFlavor } from './model-flavors';

/**
 * Blue-green's warm-up: one inference on every new replica before traffic moves, with the model's
 * own input example (MLmodel saved_input_example_info), else the newest logged request's input
 * rows. With neither, /ping alone warmed it, and the decision says so. A failed inference throws:
 * the switch does not happen.
 */
export async function warmUp(ports: number[], modelPath: string, timeoutMs: number, loggedInputs?: unknown): Promise<string> {
  const example = servableFlavor(modelPath).inputExample;
  const request = example !== null && example !== undefined ? toRequest(example) : Array.isArray(loggedInputs) && loggedInputs.length > 0 ? { dataframe_records: loggedInputs } : null;
  if (request === null) return 'the model has no input example and no request was logged yet, so /ping only';
  const what = example !== null && example !== undefined ? "the model's input example" : 'the newest logged request';
  const body = Buffer.from(JSON.stringify(request));
  for (const port of ports) {
    const status = await post(port, body, timeoutMs);
    if (status !== 200) throw new Error(`the warm-up inference (${what}) on the replica at 127.0.0.1:${port} answered ${status}`);
  }
  return `${what} on ${ports.length} replica${ports.length === 1 ? '' : 's'}`;
}

/** An input example as MLflow stores it is already a scoring request when it has one of the four keys. */
function toRequest(example: unknown): unknown {
  if (example && typeof example === 'object' && !Array.isArray(example)) {
    const keys = Object.keys(example);
    if (keys.some((k) => ['dataframe_split', 'dataframe_records', 'instances', 'inputs'].includes(k))) return example;
    if ('columns' in example && 'data' in example) return { dataframe_split: example };
  }
  return { inputs: example };
}

function post(port: number, body: Buffer, timeoutMs: number): Promise<number> {
  return new Promise((resolve) => {
    const request = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/invocations', headers: { 'Content-Type': 'application/json', 'Content-Length': body.length }, timeout: timeoutMs, agent: false },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(0));
    request.end(body);
  });
}
