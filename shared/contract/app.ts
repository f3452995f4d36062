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

/**
 * The start-up check of the store's pages (SQLite's quick_check), run once the server answers.
 * 'checking' until it finishes (a large store is checked in the background; `background` says
 * so); 'damaged' with a message saying what to do; 'failed' when the check itself could not run
 * (which says nothing about damage).
 */
export interface IntegrityStatus {
  state: 'checking' | 'ok' | 'damaged' | 'failed';
  /** One paragraph for people: what was found and what to do. */
  message: string;
  databaseFile: string;
  /** Database plus write-ahead log, when the check started. */
  sizeBytes: number;
  /** Checked on a worker thread while the app works (a large store), rather than at once. */
  background: boolean;
  /** What SQLite reported, a few lines at most, each cut short. */
  problems: string[];
  startedAt: number | null;
  finishedAt: number | null;
}

export const appMethods = {
  'app.getInfo': method<AppInfo>()(z.object({}).strict(), 'Version, data dir and schema version of the running app.'),
  'app.getIntegrity': method<IntegrityStatus>()(z.object({}).strict(), "The start-up check of the database's pages: checking, ok, damaged (with what to do) or failed."),
};
