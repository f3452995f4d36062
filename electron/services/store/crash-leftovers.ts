import path from 'node:path';

/**
 * The start-up sweep of what crashed operations left on disk. Each area finds its own leftovers
 * (tracking/partial-artifacts.ts, registry/orphan-folders.ts, registry/oci-temp-folders.ts); this
 * file runs them one after another, merges what they removed into one report and prints one line
 * per kind. It runs in the background after start: every sweep leaves alone whatever an operation
 * of this process is using, and whatever a database row refers to.
 */

export type LeftoverKind =
  | 'partialArtifacts'
  | 'stagingFolders'
  | 'pullFolders'
  | 'partialDownloads'
  | 'ociTempFolders'
  | 'orphanVersionFolders'
  | 'emptyModelFolders';

/** What one sweep removed (absolute paths, by kind) and what it could not remove. */
export interface LeftoverFindings {
  removed: Partial<Record<LeftoverKind, string[]>>;
  failed: Array<{ path: string; error: string }>;
}

export interface CrashLeftoverReport {
  /** Absolute paths removed, by kind; every kind is present (maybe empty). */
  removed: Record<LeftoverKind, string[]>;
  /** Leftovers that could not be removed (they are tried again at the next start). */
  failed: Array<{ path: string; error: string }>;
  /** True when the app closed before the sweep was done. */
  interrupted: boolean;
}

/** A sweep of one area; `stopped()` turns true when the app closes, and the sweep should return then. */
export type LeftoverSweep = (stopped: () => boolean) => Promise<LeftoverFindings>;

const DESCRIPTIONS: Record<LeftoverKind, [singular: string, plural: string]> = {
  partialArtifacts: ['partial artifact of an interrupted upload', 'partial artifacts of interrupted uploads'],
  stagingFolders: ['staging folder of an interrupted registration', 'staging folders of interrupted registrations'],
  pullFolders: ['folder of an interrupted pull', 'folders of interrupted pulls'],
  partialDownloads: ['partial download of an interrupted pull', 'partial downloads of interrupted pulls'],
  ociTempFolders: ['orrery-oci-* temp folder of an interrupted push', 'orrery-oci-* temp folders of interrupted pushes'],
  orphanVersionFolders: ['model version folder without a registered version', 'model version folders without a registered version'],
  emptyModelFolders: ['empty model folder', 'empty model folders'],
};

export const LEFTOVER_KINDS = Object.keys(DESCRIPTIONS) as LeftoverKind[];

export function emptyFindings(): LeftoverFindings {
  return { removed: {}, failed: [] };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One line per kind that had leftovers, e.g. `[cleanup] removed 2 staging folders of interrupted registrations (under /data/models)`. */
export function describeReport(report: CrashLeftoverReport, dataDir: string): string[] {
  const lines: string[] = [];
  for (const kind of LEFTOVER_KINDS) {
    const paths = report.removed[kind];
    if (paths.length === 0) continue;
    const [one, many] = DESCRIPTIONS[kind];
    lines.push(`[cleanup] removed ${paths.length} ${paths.length === 1 ? one : many} (${where(paths, dataDir)})`);
  }
  if (report.failed.length > 0) {
    const first = report.failed[0]!;
    lines.push(`[cleanup] could not remove ${report.failed.length} leftover${report.failed.length === 1 ? '' : 's'} (first: ${first.path}: ${first.error}); they are tried again at the next start`);
  }
  return lines;
}

/** The one path, or the folder they share; relative to the data dir where inside it. */
function where(paths: readonly string[], dataDir: string): string {
  const show = (p: string) => {
    const rel = path.relative(dataDir, p);
    return rel === '' ? 'the data dir' : rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
  };
  if (paths.length === 1) return show(paths[0]!);
  let common = path.dirname(paths[0]!);
  const within = (p: string) => p.startsWith(common.endsWith(path.sep) ? common : `${common}${path.sep}`);
  while (!paths.every(within) && path.dirname(common) !== common) common = path.dirname(common);
  return `under ${show(common)}`;
}

/**
 * Runs the sweeps in turn and reports. Never rejects: a sweep that throws is recorded under
 * `failed` and the others still run. Lines go to `log` (stderr by default, so a command line
 * that prints JSON on stdout stays parseable).
 */
export async function sweepCrashLeftovers(
  sweeps: readonly LeftoverSweep[],
  options: { dataDir: string; stopped?: () => boolean; log?: (line: string) => void },
): Promise<CrashLeftoverReport> {
  const stopped = options.stopped ?? (() => false);
  const report: CrashLeftoverReport = {
    removed: Object.fromEntries(LEFTOVER_KINDS.map((k) => [k, []])) as unknown as Record<LeftoverKind, string[]>,
    failed: [],
    interrupted: false,
  };
  for (const sweep of sweeps) {
    if (stopped()) break;
    try {
      const found = await sweep(stopped);
      for (const kind of LEFTOVER_KINDS) report.removed[kind].push(...(found.removed[kind] ?? []));
      report.failed.push(...found.failed);
    } catch (error) {
      report.failed.push({ path: options.dataDir, error: errorText(error) });
    }
  }
  report.interrupted = stopped();
  if (!report.interrupted) {
    const log = options.log ?? ((line: string) => console.warn(line));
    for (const line of describeReport(report, options.dataDir)) log(line);
  }
  return report;
}
