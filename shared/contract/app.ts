import { z } from 'zod';
import { method } from './define';

export interface AppInfo {
  name: string;
  version: string;
  dataDir: string;
  databaseFile: string;
  schemaVersion: number;
  /** Where this process runs the app: inside Electron or as the headless server. */
  mode: 'desktop' | 'headless';
  pid: number;
  startedAt: number;
  /** The OS account running the app: who the registry's audit log names for actions taken in the UI. */
  user: string;
}

export const appMethods = {
  'app.info': method<AppInfo>()(z.object({}).strict(), 'Version, data dir and schema version of the running app.'),
};
