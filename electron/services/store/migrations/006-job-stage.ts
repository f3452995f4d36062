import type { Migration } from '../migration';

/**
 * A queued job's stage before it may wait for resources: 'hashing-inputs' while its datasets are
 * hashed off the request path (a restart picks the hashing up again), NULL once it is in line.
 */
export const migration006: Migration = {
  version: 6,
  name: 'job-stage',
  up(db) {
    db.exec('ALTER TABLE jobs ADD COLUMN stage TEXT CHECK (stage IS NULL OR stage IN (\'hashing-inputs\'));');
  },
};
