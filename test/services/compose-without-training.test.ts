import { afterEach, describe, expect, it, vi } from 'vitest';
import { composeApp, type App } from '../../electron/services/compose';
import { offlineDockerEngine } from '../fakes/docker-engine';
import { fakeNvidiaGpuReader } from '../fakes/nvidia-gpu-reader';
import { tempDir } from '../helpers/temp-dir';

let app: App | undefined;
afterEach(() => {
  app?.close();
  app = undefined;
  vi.restoreAllMocks();
});

describe('composeApp({ training: false }), as the command line opens the store', () => {
  it('answers training methods UNAVAILABLE, the rest as usual, and logs nothing about training', async () => {
    const errors = vi.spyOn(console, 'error');
    let launcherAsked = false;
    app = composeApp({
      dataDir: tempDir(),
      mode: 'headless',
      training: false,
      docker: offlineDockerEngine(),
      nvidia: fakeNvidiaGpuReader({ error: 'none' }),
      launcher: async () => {
        launcherAsked = true;
        throw new Error('no launcher should be made');
      },
    });
    const list = await app.dispatcher.dispatch('training.listJobs', {});
    expect(list).toEqual({
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'Training is not available here: this process opened the store without the training queue. Use the desktop app or `npm run serve`.' },
    });
    expect(await app.dispatcher.dispatch('registry.listModels', {})).toEqual({ ok: true, result: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(launcherAsked).toBe(false);
    expect(errors.mock.calls.filter((args) => String(args[0]).includes('[training]'))).toEqual([]);
  });
});
