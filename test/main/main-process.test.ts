import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { contract } from '../../shared/contract/index';
import { invokeChannel } from '../../shared/ipc-channels';

/**
 * The Electron binary cannot be downloaded on these machines, so electron/main/index.ts runs here
 * against a recording stand-in for the 'electron' module: the wiring (protocol, IPC, window,
 * HTTP server, shutdown) is real; only Electron itself is faked.
 */
const recorded = await vi.hoisted(async () => {
  const fsMod = await import('node:fs');
  const osMod = await import('node:os');
  const pathMod = await import('node:path');
  const home = fsMod.mkdtempSync(pathMod.join(osMod.tmpdir(), 'orrery-main-'));
  process.env.ORRERY_HOME = home;
  // A stand-in build: the renderer's page and nothing else.
  const dist = fsMod.mkdtempSync(pathMod.join(osMod.tmpdir(), 'orrery-dist-'));
  fsMod.mkdirSync(pathMod.join(dist, 'renderer'));
  fsMod.writeFileSync(pathMod.join(dist, 'renderer', 'index.html'), '<!doctype html><title>Orrery</title>');
  process.env.ORRERY_DIST_DIR = dist;
  return {
    dist,
    home,
    schemes: [] as unknown[],
    handlers: new Map<string, (...args: unknown[]) => unknown>(),
    protocolHandler: undefined as undefined | ((request: Request) => Promise<Response>),
    windows: [] as Array<{ options: Record<string, unknown>; url?: string }>,
    appEvents: new Map<string, (...args: unknown[]) => void>(),
    ready: undefined as undefined | Promise<void>,
    quitCalls: 0,
  };
});

vi.mock('electron', async () => {
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  class BrowserWindow {
    static getAllWindows = () => recorded.windows;
    entry: { options: Record<string, unknown>; url?: string };
    constructor(options: Record<string, unknown>) {
      this.entry = { options };
      recorded.windows.push(this.entry);
    }
    once() {}
    on() {}
    isMinimized() {
      return false;
    }
    async loadURL(url: string) {
      this.entry.url = url;
    }
  }
  let resolveReady: () => void = () => {};
  recorded.ready = new Promise<void>((resolve) => (resolveReady = resolve));
  return {
    app: {
      isPackaged: true, // use the Node build of better-sqlite3, as a packaged app uses its own
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve().then(() => setTimeout(resolveReady, 0)),
      on: (event: string, fn: (...args: unknown[]) => void) => void recorded.appEvents.set(event, fn),
      quit: () => void recorded.quitCalls++,
      exit: () => {},
      getAppPath: () => process.cwd(),
    },
    BrowserWindow,
    clipboard: { writeText: () => {} },
    dialog: { showErrorBox: (title: string, message: string) => console.error(title, message) },
    ipcMain: {
      handle: (channel: string, fn: (...args: unknown[]) => unknown) => void recorded.handlers.set(channel, fn),
      on: () => {},
    },
    Menu: { setApplicationMenu: () => {}, buildFromTemplate: (t: unknown) => t },
    net: { fetch: async (url: string) => new Response(await readFile(fileURLToPath(url))) },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => void recorded.schemes.push(...schemes),
      handle: (_scheme: string, fn: (request: Request) => Promise<Response>) => void (recorded.protocolHandler = fn),
    },
    shell: { openExternal: async () => {} },
  };
});

afterAll(async () => {
  const willQuit = recorded.appEvents.get('will-quit');
  willQuit?.({ preventDefault: () => {} });
  await vi.waitFor(() => expect(recorded.quitCalls).toBe(1));
  fs.rmSync(recorded.home, { recursive: true, force: true });
  fs.rmSync(recorded.dist, { recursive: true, force: true });
});

describe('Electron main process wiring', () => {
  it('starts the app: privileged orrery:// scheme, IPC per method, secure window, HTTP server', async () => {
    await import('../../electron/main/index');
    await recorded.ready;
    await vi.waitFor(() => expect(recorded.windows).toHaveLength(1), { timeout: 10_000 });

    expect(recorded.schemes).toEqual([{ scheme: 'orrery', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
    for (const method of Object.keys(contract)) expect(recorded.handlers.has(invokeChannel(method))).toBe(true);

    const window = recorded.windows[0]!;
    expect(window.url).toBe('orrery://app/index.html');
    expect(window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect((window.options.webPreferences as { preload: string }).preload).toBe(path.join(recorded.dist, 'preload', 'index.cjs'));

    // The same HTTP server as headless mode runs, and tells local tools where it is.
    const info = JSON.parse(fs.readFileSync(path.join(recorded.home, 'server.json'), 'utf8')) as { url: string };
    const health = await fetch(`${info.url}/api/health`);
    expect(await health.json()).toMatchObject({ ok: true });
  });

  it('answers IPC only from the app origin', async () => {
    const handler = recorded.handlers.get(invokeChannel('app.getInfo'))!;
    const sender = { id: 1, send: () => {}, once: () => {} };
    expect(await handler({ senderFrame: { url: 'orrery://app/index.html' }, sender }, {})).toMatchObject({
      ok: true,
      result: { mode: 'desktop', dataDir: recorded.home },
    });
    expect(await handler({ senderFrame: { url: 'https://evil.example/' }, sender }, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('serves the renderer over orrery:// with the strict CSP, and nothing outside it', async () => {
    const handler = recorded.protocolHandler!;
    const page = await handler(new Request('orrery://app/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Orrery</title>');
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect((await handler(new Request('orrery://app/%2e%2e/%2e%2e/package.json'))).status).toBe(404);
    expect((await handler(new Request('orrery://app/missing.js'))).status).toBe(404);
    expect((await handler(new Request('orrery://elsewhere/index.html'))).status).toBe(404);
  });
});
