import type { Migration } from '../migration';

/**
 * The pipelines' stat cache: per absolute file path, the stat signature it had when hashed
 * (size, mtime and ctime in ns, inode) and its content hash, so a re-run stats files instead of
 * reading them. `racy` marks entries whose mtime or ctime was within the filesystem's timestamp
 * granularity of the read: a later write could keep the same mtime, so they are re-read.
 */
export const migration011: Migration = {
  version: 11,
  name: 'pipelines-hash-cache',
  up(db) {
    db.exec(`
      CREATE TABLE pipeline_hash_cache (
        path TEXT PRIMARY KEY,
        stat TEXT NOT NULL,
        hash TEXT NOT NULL,
        racy INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
