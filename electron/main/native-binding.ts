import fs from 'node:fs';
import path from 'node:path';

/** Where `npm start` (scripts/prepare-electron-sqlite.mjs) puts better-sqlite3 built for Electron. */
export const ELECTRON_SQLITE_BINDING = path.join('.electron-native', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');

/**
 * In development node_modules holds the Node build (for tests and headless mode), so the window
 * uses a separate Electron build. Packaged apps are rebuilt for Electron by electron-builder.
 */
export function electronNativeBinding(appRoot: string, isPackaged: boolean): string | undefined {
  if (isPackaged) return undefined;
  const binding = path.join(appRoot, ELECTRON_SQLITE_BINDING);
  if (!fs.existsSync(binding)) {
    throw new Error(`better-sqlite3 is not built for Electron (${binding} is missing). Run: npm start (it prepares it).`);
  }
  return binding;
}
