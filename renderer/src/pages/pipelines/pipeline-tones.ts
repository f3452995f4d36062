import type { PipelineRunStatus, StageRunStatus } from '../../../../shared/contract/pipelines';
import type { BadgeTone } from '../../components/Badge';

export const runTone: Record<PipelineRunStatus, BadgeTone> = { running: 'ok', succeeded: 'ok', failed: 'bad', cancelled: 'warn' };

export const stageTone: Record<StageRunStatus, BadgeTone> = {
  pending: 'neutral',
  running: 'ok',
  'waiting-approval': 'warn',
  succeeded: 'ok',
  cached: 'ok',
  failed: 'bad',
  skipped: 'neutral',
  cancelled: 'neutral',
};
