import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, net, Notification, protocol, shell } from 'electron';
import { resolveDataDir } from '../services/config/data-dir';
import { parseServeArgs, pickOrreryFlags } from '../server/serve-args';
import { startOrrery, type Running } from '../server/start-orrery';
import { chooseToken } from '../server/token';
import { CONTENT_SECURITY_POLICY } from '../server/static-files';
import { showAlertNotifications } from './alert-notifications';
import { APP_ENTRY_URL, APP_SCHEME, isAppUrl } from './app-origin';
import { resolveAppFile } from './app-file';
import { registerIpc } from './ipc';
import { menuTemplate } from './menu-template';
import { electronNativeBinding } from './native-binding';
import { guardNavigation } from './navigation-guard';
import { mainWindowOptions } from './window-options';

// Built layout: dist/main/index.cjs, dist/preload/index.cjs, dist/renderer/. ORRERY_DIST_DIR
// points elsewhere (tests run this file from source).
const distDir = process.env.ORRERY_DIST_DIR ?? path.resolve(__dirname, '..');
const rendererDir = path.join(distDir, 'renderer');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let running: Running | undefined;
let mainWindow: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.whenReady().then(start, fail);
}

async function start(): Promise<void> {
  const args = parseServeArgs(pickOrreryFlags(process.argv));
  const dataDir = resolveDataDir({ flag: args.dataDir, env: process.env, platform: process.platform, homedir: os.homedir() });
  running = await startOrrery({
    dataDir,
    mode: 'desktop',
    port: args.port ?? 0,
    token: chooseToken(process.env),
    staticDir: rendererDir,
    nativeBinding: electronNativeBinding(app.getAppPath(), app.isPackaged),
  });
  registerIpc(ipcMain, running.app.dispatcher, running.app.bus, isAppUrl);
  showAlertNotifications(
    running.app.bus,
    {
      isSupported: () => Notification.isSupported(),
      show: (note, onClick) => {
        const shown = new Notification(note);
        shown.on('click', onClick);
        shown.show();
      },
    },
    (hash) => {
      if (!mainWindow) createWindow();
      mainWindow?.show();
      mainWindow?.focus();
      void mainWindow?.webContents.executeJavaScript(`window.location.hash = ${JSON.stringify(hash)}`);
    },
  );

  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file || !fs.existsSync(file)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });

  const current = running;
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate(process.platform, { copyApiUrl: () => clipboard.writeText(current.openUrl) })),
  );
  app.on('web-contents-created', (_event, contents) => guardNavigation(contents, (url) => void shell.openExternal(url)));
  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
}

function createWindow(): void {
  mainWindow = new BrowserWindow(mainWindowOptions(path.join(distDir, 'preload', 'index.cjs')));
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = undefined));
  void mainWindow.loadURL(APP_ENTRY_URL);
}

function fail(error: unknown): void {
  dialog.showErrorBox('Orrery could not start', error instanceof Error ? error.message : String(error));
  app.exit(1);
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

app.on('will-quit', (event) => {
  if (!running) return;
  event.preventDefault();
  const stopping = running;
  running = undefined;
  void stopping.stop().finally(() => app.quit());
});
