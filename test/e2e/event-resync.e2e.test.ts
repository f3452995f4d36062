import { describe, expect, it } from 'vitest';
import { useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';

const browserPath = chromiumPath();
const TOKEN = 't';
const DROPPED = /\[events\] a subscriber to \S*tracking\.metrics\S* stopped reading/;

describe.skipIf(!browserPath)('a frozen page in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'resync', token: TOKEN }, 240_000);
  const { mlflow } = app;

  it('is dropped by the server with a resync, reconnects, and its runs table re-reads what it missed', async () => {
    const { experiment_id: experimentId } = await mlflow<{ experiment_id: string }>('experiments/create', { name: 'resync' });
    const { run } = await mlflow<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: 'busy-run' });
    const runId = run.info.run_id;

    const { page, errors } = await app.openPage(`#/experiments/${experimentId}`);
    const logged: string[] = [];
    page.on('console', (message) => logged.push(message.text()));
    await expect.poll(() => page.getByTestId('runs-total').textContent(), { timeout: 20_000 }).toMatch(/^1 run/);

    // Freeze the page (its script stops at the next thing it runs, such as reading the event
    // stream) while the run logs ~290 KB metric batches.
    const devtools = await page.context().newCDPSession(page);
    await devtools.send('Debugger.enable');
    await devtools.send('Debugger.pause');
    const key = (i: number) => `layer_${String(i).padStart(4, '0')}/${'w'.repeat(200)}`;
    let step = 0;
    const started = Date.now();
    while (!DROPPED.test(app.serve.output()) && Date.now() - started < 60_000) {
      const at = Date.now();
      await mlflow('runs/log-batch', { run_id: runId, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: key(i), value: i, timestamp: at, step })) });
      step++;
    }
    expect(app.serve.output()).toMatch(DROPPED);
    console.log(`[resync e2e] dropped after ${step} batches in ${Date.now() - started} ms`);
    // Made after the drop: its event reaches nobody, so only a re-read can show it.
    await mlflow('runs/create', { experiment_id: experimentId, run_name: 'made-while-dropped' });

    await devtools.send('Debugger.resume');
    await expect.poll(() => logged.some((text) => /event stream back after a drop \(fell-behind\)/.test(text)), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('runs-total').textContent(), { timeout: 20_000 }).toMatch(/^2 runs/);
    expect(await page.getByTestId('run-row').filter({ hasText: 'made-while-dropped' }).count()).toBe(1);
    expect(errors).toEqual([]);
  }, 120_000);
});
