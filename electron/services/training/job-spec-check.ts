import type { JobSpec } from '../../../shared/contract/training-spec';
import { CONTAINER_OUTPUTS_DIR, CONTAINER_PARAMS_FILE } from './container-spec';
import { jobUserFor, writableWorkspacesToChown, type JobUser, type ProcessIdentity } from './job-user';
import { checkMountTargets, resolveMounts, type MountPolicy, type ResolvedMount } from './mount-policy';

/**
 * The mount policy and the user rule, as a job would be launched now: every mount resolved and
 * allowed, and no writable workspace Orrery would refuse to hand to the job's user.
 */
export class JobSpecCheck {
  constructor(
    readonly policy: MountPolicy,
    readonly identity: ProcessIdentity,
  ) {}

  check(spec: JobSpec): { mounts: ResolvedMount[]; user: JobUser } {
    checkMountTargets(spec.mounts, [CONTAINER_OUTPUTS_DIR, CONTAINER_PARAMS_FILE, ...(spec.checkpoint ? [spec.checkpoint.dir] : [])]);
    const mounts = resolveMounts(spec.mounts, this.policy);
    const user = jobUserFor(spec, mounts, this.identity);
    writableWorkspacesToChown(mounts, user, this.identity);
    return { mounts, user };
  }
}
