import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../helpers/test-server';
import { tempDir } from '../../helpers/temp-dir';

// runs/search reads a large page in chunks of a few hundred runs with turns of the event loop
// between them; what the client gets must be the page it asked for, whole and in order.
const RUNS = 1_203;
let server: TestServer;
let experimentId: string;

beforeAll(async () => {
  server = await startTestServer(tempDir());
  const tracking = server.running.app.tracking;
  experimentId = tracking.createExperiment('chunks');
  for (let i = 0; i < RUNS; i++) {
    const { runId } = tracking.createRun({ experimentId, name: `r${i}`, startTime: 1_000 + (i % 50), tags: [] });
    // Every seventh run lacks the metric; the rest share values, so ties fall to start time and id.
    if (i % 7 !== 0) tracking.logBatch(runId, { metrics: [{ key: 'acc', value: (i * 37) % 101, timestamp: 5, step: 0 }], params: [], tags: [] });
  }
}, 120_000);
afterAll(async () => server?.close());

type Page = { runs?: Array<{ info: { run_id: string } }>; next_page_token?: string };

describe('runs/search pages larger than one chunk', () => {
  it('equal the same runs read in small pages, and their token goes on from the right run', async () => {
    const ask = async (maxResults: number, pageToken?: string): Promise<Page> =>
      (await server.mlflow('runs/search', { experiment_ids: [experimentId], order_by: ['metrics.acc DESC'], max_results: maxResults, ...(pageToken ? { page_token: pageToken } : {}) })).json as Page;

    const small: string[] = [];
    let token: string | undefined;
    do {
      const page = await ask(97, token);
      small.push(...(page.runs ?? []).map((r) => r.info.run_id));
      token = page.next_page_token;
    } while (token);
    expect(small).toHaveLength(RUNS);

    const big = await ask(1_100);
    expect(big.runs!.map((r) => r.info.run_id)).toEqual(small.slice(0, 1_100));
    const rest = await ask(1_000, big.next_page_token);
    expect(rest.runs!.map((r) => r.info.run_id)).toEqual(small.slice(1_100));
    expect(rest.next_page_token).toBeUndefined();

    const whole = await ask(50_000);
    expect(whole.runs!.map((r) => r.info.run_id)).toEqual(small);
    expect(whole.next_page_token).toBeUndefined();
  });
});
