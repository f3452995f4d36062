import type { Migration } from '../migration';
import { migration001 } from './001-app-meta';
import { migration002 } from './002-tracking';
import { migration003 } from './003-jobs';
import { migration004 } from './004-registry';
import { migration005 } from './005-remote-registries';
import { migration006 } from './006-job-stage';
import { migration007 } from './007-serving';
import { migration008 } from './008-monitoring';
import { migration009 } from './009-jobs-by-run';
import { migration010 } from './010-search-order-indexes';
import { migration011 } from './011-pipelines-hash-cache';
import { migration012 } from './012-pipelines';
import { migration013 } from './013-pipeline-alerts';
/** Every migration in order; a new one is appended here with the next version number. */
export const migrations: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012, migration013];
