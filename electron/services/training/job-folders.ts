import fs from 'node:fs';
import path from 'node:path';
import type { JobSpec } from '../../../shared/contract/training-spec';
import type { StoredJob } from './job-repository';
import type { JobSpecCheck } from './job-spec-check';
import { handOverWorkspace, prepareJobFolder, writableWorkspacesToChown, type JobUser } from './job-user';
import type { RunArtifactsWriter } from './ports';

/** What a job is launched with once its spec has passed the mount policy and the user rule again. */
export interface PreparedJob {
  spec: JobSpec;
  user: JobUser;
  outputsDir: string;
  paramsFile: string;
  checkpointDir: string | null;
}

/**
 * Each job's folder, `<dataDir>/jobs/<jobId>`: its log, its params file, the outputs folder that
 * becomes its run's artifacts, and (shared by a job's retries) its checkpoints.
 */
export class JobFolders {
  constructor(
    private readonly dataDir: string,
    private readonly specs: JobSpecCheck,
    private readonly artifacts: RunArtifactsWriter,
  ) {}

  folder(jobId: string): string {
    const folder = path.join(this.dataDir, 'jobs', jobId);
    fs.mkdirSync(folder, { recursive: true });
    return folder;
  }

  logFile(jobId: string): string {
    return path.join(this.folder(jobId), 'log.jsonl');
  }

  /** What the job's own mounts are: host path → container path (outputs, params, checkpoints). */
  ownMounts(job: StoredJob): Map<string, string> {
    const own = new Map<string, string>([
      [path.join(this.folder(job.jobId), 'outputs'), '/orrery/outputs'],
      [path.join(this.folder(job.jobId), 'params.json'), '/orrery/params.json'],
    ]);
    if (job.spec.checkpoint) own.set(path.join(this.folder(job.rootJobId), 'checkpoints'), job.spec.checkpoint.dir);
    return own;
  }

  /**
   * Checks the job's spec again as it is launched (a spec stored before could be launched after a
   * restart, and folders change), picks its user, and makes its folders writable for that user:
   * outputs and checkpoints (0700, theirs) and any root-owned writable workspace.
   */
  prepare(job: StoredJob): PreparedJob {
    const { identity } = this.specs;
    const { mounts, user } = this.specs.check(job.spec);
    const folder = this.folder(job.jobId);
    const outputsDir = path.join(folder, 'outputs');
    prepareJobFolder(outputsDir, user, identity);
    const paramsFile = path.join(folder, 'params.json');
    fs.rmSync(paramsFile, { force: true });
    fs.writeFileSync(paramsFile, JSON.stringify(job.spec.hyperparameters, null, 2), { mode: 0o400 });
    if (identity.uid === 0) fs.lchownSync(paramsFile, user.uid, user.gid);
    // Retries share the first attempt's folder, so they find its checkpoints.
    const checkpointDir = job.spec.checkpoint ? path.join(this.folder(job.rootJobId), 'checkpoints') : null;
    if (checkpointDir) prepareJobFolder(checkpointDir, user, identity, { recursive: true });
    for (const workspace of writableWorkspacesToChown(mounts, user, identity)) handOverWorkspace(workspace, user);
    const spec: JobSpec = { ...job.spec, mounts: mounts.map(({ requested: _requested, ...mount }) => mount) };
    return { spec, user, outputsDir, paramsFile, checkpointDir };
  }

  /**
   * Folders of jobs from before outputs were made the job user's were world-writable (0777):
   * tighten them to 0700, in the background after start.
   */
  async tighten(closed: () => boolean): Promise<void> {
    const root = path.join(this.dataDir, 'jobs');
    let ids: string[];
    try {
      ids = await fs.promises.readdir(root);
    } catch {
      return;
    }
    for (const id of ids) {
      if (closed()) return;
      for (const name of ['outputs', 'checkpoints']) {
        const dir = path.join(root, id, name);
        try {
          const stat = await fs.promises.lstat(dir);
          if (stat.isDirectory() && (stat.mode & 0o077) !== 0) await fs.promises.chmod(dir, 0o700);
        } catch {
          // Not there: nothing to tighten.
        }
      }
    }
  }

  /** Keeps the newest `keepLast` entries of the job's checkpoint folder. */
  pruneCheckpoints(job: StoredJob): void {
    if (!job.spec.checkpoint) return;
    const dir = path.join(this.folder(job.rootJobId), 'checkpoints');
    const entries = fs
      .readdirSync(dir)
      .map((name) => ({ name, mtime: fs.statSync(path.join(dir, name)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name));
    for (const old of entries.slice(job.spec.checkpoint.keepLast)) fs.rmSync(path.join(dir, old.name), { recursive: true, force: true });
  }

  /** Files the job left in its outputs folder become the run's artifacts. */
  async collectOutputs(job: StoredJob): Promise<void> {
    const root = path.join(this.folder(job.jobId), 'outputs');
    const walk = async (dir: string, prefix: string[]): Promise<void> => {
      for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, [...prefix, entry.name]);
        else if (entry.isFile()) await this.artifacts.write(job.experimentId, job.runId, [...prefix, entry.name], fs.createReadStream(full));
      }
    };
    await walk(root, []);
  }
}
