import { describe, expect, it } from 'vitest';
import { mainWindowOptions } from '../../electron/main/window-options';

describe('main window options', () => {
  it('follow the security checklist: isolated, sandboxed, no Node in the page', () => {
    const prefs = mainWindowOptions('/app/dist/preload/index.cjs').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/dist/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });
});
