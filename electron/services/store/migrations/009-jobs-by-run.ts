import type { Migration } from '../migration';

/** Jobs are found by their run's id too (`orrery jobs logs RUN_ID`, the run page's job panel). */
export const migration009: Migration = {
  version: 9,
  name: 'jobs-by-run',
  up(db) {
    db.exec('CREATE INDEX jobs_by_run ON jobs (run_id);');
  },
};
