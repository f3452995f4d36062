import fs from 'node:fs';
import path from 'node:path';

export const SERVER_INFO_FILE = 'server.json';

export interface ServerInfo {
  url: string;
  port: number;
  token: string;
  pid: number;
  version: string;
}

/** Lets local tools (CLI, scripts) find the running app; readable by its owner only. */
export function writeServerInfo(dataDir: string, info: ServerInfo): string {
  const file = path.join(dataDir, SERVER_INFO_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  // Created fresh (never reusing a temp a crashed process with our PID left, whatever its mode),
  // so the token is never in a file others can read, not even for a moment.
  fs.rmSync(temp, { force: true });
  fs.writeFileSync(temp, JSON.stringify(info, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  fs.chmodSync(temp, 0o600);
  fs.renameSync(temp, file);
  return file;
}

/** Removes the file only if it still describes this process. */
export function removeServerInfo(dataDir: string, pid = process.pid): void {
  const file = path.join(dataDir, SERVER_INFO_FILE);
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServerInfo>;
    if (info.pid === pid) fs.rmSync(file, { force: true });
  } catch {
    // Nothing to remove.
  }
}

/** What a running app wrote for local tools; null when there is no file or it is not one of ours. */
export function readServerInfo(dataDir: string): ServerInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, SERVER_INFO_FILE), 'utf8')) as Partial<ServerInfo>;
    if (typeof info.url !== 'string' || typeof info.token !== 'string') return null;
    return info as ServerInfo;
  } catch {
    return null;
  }
}
