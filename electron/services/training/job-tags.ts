/** The run tags saying who the job ran as (`uid:gid`) and why that user. */
export const JOB_USER_TAG = 'orrery.job_user';
export const JOB_USER_SOURCE_TAG = 'orrery.job_user.source';
/** Set on a run whose container was created but not started when Orrery stopped: what the next start did with it. */
export const RECOVERY_TAG = 'orrery.recovery';
export const RECOVERY_REASON_TAG = 'orrery.recovery.reason';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
