import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectPageErrors, screenshotPath, startE2eApp, useE2eApp } from '../helpers/e2e-fixture';
import { chromiumPath } from '../helpers/requirements';
import { freePort, startServe } from '../helpers/serve-process';
import { tempDir } from '../helpers/temp-dir';

const browserPath = chromiumPath();

/** What `docker info` reports (server version and runtime names), or null when no engine answers. */
function dockerInfo(): { version: string; runtimes: string[] } | null {
  try {
    const out = execFileSync('docker', ['info', '--format', '{{json .ServerVersion}} {{json .Runtimes}}'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    const [version, runtimes] = out.trim().split(/ (.*)/s) as [string, string];
    return { version: JSON.parse(version) as string, runtimes: Object.keys(JSON.parse(runtimes) as Record<string, unknown>) };
  } catch {
    return null;
  }
}

describe.skipIf(!browserPath)('Overview in a real browser against npm run serve', () => {
  const app = useE2eApp(browserPath, { name: 'overview' });

  it("shows this machine's CPU model, live samples and the Docker engine's state", async () => {
    const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 } });
    const errors = collectPageErrors(page);
    await page.goto(app.serve.openUrl);

    await expect.poll(() => page.getByTestId('cpu-model').textContent(), { timeout: 20_000 }).toContain(os.cpus()[0]!.model.trim());
    // The token left the address bar once read.
    expect(page.url()).not.toContain('token=');

    // What the engine says right now, asked by the test itself with the docker CLI, not through
    // Orrery's own API: the page must agree with an independent witness.
    const engine = dockerInfo();
    if (engine === null) {
      await expect.poll(() => page.getByTestId('docker-state').textContent()).toMatch(/unreachable|missing/i);
    } else {
      await expect.poll(() => page.getByTestId('docker-state').textContent()).toMatch(/ready|running/i);
      await expect.poll(() => page.getByTestId('docker-card').textContent()).toContain(engine.version);
      // The runtimes the engine lists, and GPU readiness only where one of them is NVIDIA's.
      const card = (await page.getByTestId('docker-card').textContent())!;
      for (const runtime of engine.runtimes) expect(card).toContain(runtime);
      if (!engine.runtimes.includes('nvidia')) expect(await page.getByTestId('docker-gpu-ready').textContent()).toBe('GPU not ready');
    }

    // The navigation lists only areas that work.
    expect(await page.getByTestId('nav').getByRole('button').allTextContents()).toContain('Overview');

    // Live samples arrive every 2 s: wait for a few, then keep the picture.
    await page.waitForTimeout(6500);
    await page.screenshot({ path: screenshotPath('overview'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('without the token the page says where to get it', async () => {
    const page = await app.browser.newPage();
    await page.goto(new URL('/', app.serve.openUrl).toString());
    await expect.poll(() => page.textContent('body')).toMatch(/npm run serve/);
    await page.screenshot({ path: screenshotPath('no-token') });
  });

  it('a second Orrery on the same data dir refuses to start, naming the PID', async () => {
    const second = startServe(['--port', String(await freePort()), '--data-dir', app.dataDir]);
    await expect(second).rejects.toThrow(/already in use by PID \d+/);
  });
});

describe.skipIf(!browserPath)('Overview when the Docker engine cannot be reached', () => {
  // Its own server and browser start inside the test: more than the default 20 s on a busy machine.
  it('says so in plain words and shows the fix', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const socket = path.join(dir, 'no-such-docker.sock');
    const app = await startE2eApp(browserPath!, { name: 'no-docker', env: { DOCKER_HOST: `unix://${socket}` } });
    try {
      const page = await app.browser.newPage({ viewport: { width: 1360, height: 900 } });
      await page.goto(app.serve.openUrl);
      await expect.poll(() => page.getByTestId('docker-state').textContent(), { timeout: 20_000 }).toMatch(/unreachable|missing/i);
      expect(await page.getByTestId('docker-message').textContent()).toMatch(/not running|not installed/);
      expect(await page.getByTestId('docker-message').textContent()).toContain(socket);
      await expect.poll(() => page.textContent('body')).toMatch(/systemctl start docker|apt-get install docker\.io/);
      await page.screenshot({ path: screenshotPath('overview-docker-unreachable'), fullPage: true });
    } finally {
      await app.close();
    }
  });
});

describe.skipIf(!browserPath)('Overview on a two-GPU machine', () => {
  // No GPU here: an `nvidia-smi` on PATH answers `-q -x` with a real capture (2x RTX A5000,
  // test/fixtures/hardware) and the sample query with a stand-in line per GPU (no real
  // noheader,nounits capture exists). Everything from the process spawn to the page is real.
  it('shows each GPU with driver, CUDA, memory and live utilisation, and the missing NVIDIA runtime', { timeout: 90_000 }, async () => {
    const dir = tempDir();
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    const xml = path.resolve(import.meta.dirname, '../fixtures/hardware/nvidia-smi-q-x-2xRTX-A5000-driver590.xml');
    fs.writeFileSync(
      path.join(bin, 'nvidia-smi'),
      `#!/bin/sh\nif [ "$1" = "-q" ]; then cat '${xml}'; exit 0; fi\n` +
        'echo "0, GPU-a, NVIDIA RTX A5000, 00000000:81:00.0, 24564, 22437, 87, 71, 201.50, 230.00, 590.44.01"\n' +
        'echo "1, GPU-b, NVIDIA RTX A5000, 00000000:C1:00.0, 24564, 17253, 12, 44, 61.20, 230.00, 590.44.01"\n',
      { mode: 0o755 },
    );
    const app = await startE2eApp(browserPath!, { name: 'two-gpus', env: { PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
    try {
      const page = await app.browser.newPage({ viewport: { width: 1360, height: 1000 } });
      await page.goto(app.serve.openUrl);
      await expect.poll(() => page.getByTestId('gpu-card').count(), { timeout: 20_000 }).toBe(2);
      const first = page.getByTestId('gpu-card').first();
      expect(await first.textContent()).toMatch(/NVIDIA RTX A5000/);
      expect(await first.textContent()).toMatch(/590\.44\.01/);
      expect(await first.textContent()).toMatch(/13\.1/);
      // Live samples replace the overview's figures: 87 % from the sample query.
      await expect.poll(() => first.textContent(), { timeout: 10_000 }).toMatch(/87\s*%/);
      const docker = await page.getByTestId('docker-card').textContent();
      if (!docker?.match(/GPU ready/)) expect(docker).toMatch(/nvidia-ctk runtime configure/);
      await page.waitForTimeout(4500);
      await page.screenshot({ path: screenshotPath('overview-two-gpus'), fullPage: true });
    } finally {
      await app.close();
    }
  });
});

describe('headless server files', () => {
  it('server.json is written with mode 0600 and holds the URL and token', async () => {
    const dir = tempDir();
    const port = await freePort();
    const serve = await startServe(['--port', String(port), '--data-dir', dir], { ORRERY_TOKEN: 'fixed-token-for-test' });
    try {
      const file = path.join(dir, 'server.json');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ url: `http://127.0.0.1:${port}`, port, token: 'fixed-token-for-test' });
      expect(serve.openUrl).toBe(`http://127.0.0.1:${port}/#token=fixed-token-for-test`);
    } finally {
      await serve.stop();
    }
    // Shutdown finishes a moment after the signal; give it time on a busy machine.
    await expect.poll(() => fs.existsSync(path.join(dir, 'server.json')), { timeout: 15_000, message: serve.output() }).toBe(false);
    await expect.poll(() => fs.existsSync(path.join(dir, 'orrery.lock')), { timeout: 15_000 }).toBe(false);
  });
});
