import os from 'node:os';
import type { AppInfo } from '../../../shared/contract/app';
import { appVersion } from '../../../shared/version';
import type { Handlers } from '../rpc/handlers';
import type { IntegrityCheck } from '../store/integrity-check';

export interface AppAreaDeps {
  dataDir: string;
  databaseFile: string;
  schemaVersion: number;
  mode: AppInfo['mode'];
  integrity: IntegrityCheck;
}

export interface AppArea {
  info: AppInfo;
  handlers: Pick<Handlers, Extract<keyof Handlers, `app.${string}`>>;
}

/** What the app is (version, data dir, store, who runs it) and the state of its store's pages. */
export function createAppArea(deps: AppAreaDeps): AppArea {
  const info: AppInfo = {
    name: 'Orrery',
    version: appVersion,
    dataDir: deps.dataDir,
    databaseFile: deps.databaseFile,
    schemaVersion: deps.schemaVersion,
    mode: deps.mode,
    pid: process.pid,
    startedAt: Date.now(),
    user: osUser(),
  };
  return {
    info,
    handlers: {
      'app.getInfo': () => info,
      'app.getIntegrity': () => deps.integrity.status(),
    },
  };
}

function osUser(): string {
  try {
    return os.userInfo().username || process.env.USER || 'local';
  } catch {
    // No passwd entry for this uid (some containers).
    return process.env.USER || 'local';
  }
}
