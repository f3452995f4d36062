import type { Migration } from '../migration';

/** Remote OCI registries configured in settings, addressed by a short name. */
export const migration005: Migration = {
  version: 5,
  name: 'remote-registries',
  up(db) {
    db.exec(`
      CREATE TABLE remote_registries (
        name TEXT PRIMARY KEY,
        url TEXT NOT NULL,
        repository_prefix TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
