import { createHash } from 'node:crypto';
import type { TriggerSpec } from '../pipeline-definition';

/**
 * A stable id for a trigger of a pipeline file, the key of its saved state (last cron check, last
 * hash, last commit): the same file and spec give the same id across restarts and re-reads, and a
 * changed spec starts afresh.
 */
export function triggerId(pipelineFile: string, spec: TriggerSpec): string {
  const fields = Object.entries(spec).sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify([pipelineFile, fields])).digest('hex').slice(0, 16);
}
