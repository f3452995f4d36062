import type { JobSpec } from '../../../shared/contract/training-spec';
import { OrreryError } from '../../../shared/errors';
import type { JobLauncher, RunningJob } from './job-launcher';

/**
 * Jobs when DOCKER_HOST names an engine jobs cannot use (a remote one, or no engine at all): every
 * submit is refused with why, whether or not that engine answers, and nothing ever falls back to
 * running the job's command on this machine without a container.
 */
export class RefusedLauncher implements JobLauncher {
  readonly kind = 'docker' as const;

  constructor(private readonly refusal: string) {}

  async validate(_spec: JobSpec): Promise<void> {
    throw new OrreryError('UNAVAILABLE', this.refusal);
  }

  async launch(): Promise<RunningJob> {
    throw new OrreryError('UNAVAILABLE', this.refusal);
  }

  /** Containers of an engine this process cannot use are out of reach: as if gone. */
  async reattach(): Promise<null> {
    return null;
  }
}
