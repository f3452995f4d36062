import http from 'node:http';
import { servableFlavor } from './model-flavors';

/**
 * Blue-green's warm-up: one inference on every new replica before traffic moves, with the
 * model's own input example (MLmodel saved_input_example_info). A model without one is warmed by
 * /ping alone, and the decision says so. A failed inference throws: the switch does not happen.
 */
export async function warmUp(ports: number[], modelPath: string, timeoutMs: number): Promise<string> {
  const example = servableFlavor(modelPath).inputExample;
  if (example === null || example === undefined) return 'the model has no input example, so /ping only';
  const body = Buffer.from(JSON.stringify(toRequest(example)));
  for (const port of ports) {
    const status = await post(port, body, timeoutMs);
    if (status !== 200) throw new Error(`the warm-up inference on the replica at 127.0.0.1:${port} answered ${status}`);
  }
  return `the model's input example on ${ports.length} replica${ports.length === 1 ? '' : 's'}`;
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
