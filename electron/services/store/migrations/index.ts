import type { Migration } from '../migration';
import { migration001 } from './001-app-meta';

/** Every migration in order; a new one is appended here with the next version number. */
export const migrations: readonly Migration[] = [migration001];
