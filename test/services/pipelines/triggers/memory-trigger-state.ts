import type { TriggerStateStore } from '../../../../electron/services/pipelines/triggers/trigger-coordinator';

/** The trigger state store kept in maps, for tests (the app keeps it in SQLite). */
export class MemoryTriggerState implements TriggerStateStore {
  readonly cronChecks = new Map<string, number>();
  readonly datasetHashes = new Map<string, string>();
  readonly commits = new Map<string, string>();

  getLastCronCheck(id: string): number | null {
    return this.cronChecks.get(id) ?? null;
  }
  setLastCronCheck(id: string, at: number): void {
    this.cronChecks.set(id, at);
  }
  getLastDatasetHash(id: string): string | null {
    return this.datasetHashes.get(id) ?? null;
  }
  setLastDatasetHash(id: string, hash: string): void {
    this.datasetHashes.set(id, hash);
  }
  getLastCommit(id: string): string | null {
    return this.commits.get(id) ?? null;
  }
  setLastCommit(id: string, sha: string): void {
    this.commits.set(id, sha);
  }
}
