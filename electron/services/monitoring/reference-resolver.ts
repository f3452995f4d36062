import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReferenceSource } from '../../../shared/contract/monitoring';
import { invalid, OrreryError } from '../../../shared/errors';
import type { ArtifactFiles, RunReader } from './ports';

/**
 * Where a reference's rows are on this machine: a file the user named, a run's artifact (its file
 * in the artifact store), or a run's dataset input whose source is a local file. The first N
 * logged requests are not a file: null.
 */
export async function referenceFile(source: ReferenceSource, runs: RunReader, artifacts: ArtifactFiles): Promise<string | null> {
  switch (source.kind) {
    case 'requests':
      return null;
    case 'file':
      if (!path.isAbsolute(source.path)) throw invalid(`source.path: '${source.path}' must be an absolute path (a file on this machine)`);
      return source.path;
    case 'run-artifact': {
      const run = runOf(runs, source.runId);
      const segments = source.path.split('/').filter((s) => s !== '' && s !== '.');
      if (segments.length === 0 || segments.includes('..')) throw invalid(`source.path: '${source.path}' is not a path inside the run's artifacts`);
      try {
        const opened = await artifacts.open(run.experimentId, source.runId, segments);
        opened.stream.destroy();
        return opened.file;
      } catch (error) {
        if (error instanceof OrreryError && error.code === 'NOT_FOUND') throw invalid(`source.path: run ${source.runId} has no artifact '${source.path}'`);
        throw error;
      }
    }
    case 'run-dataset': {
      const run = runOf(runs, source.runId);
      const datasets = source.name ? run.inputs.filter((d) => d.name === source.name) : run.inputs;
      if (datasets.length === 0) {
        const known = run.inputs.map((d) => d.name).join(', ') || 'none';
        throw invalid(source.name ? `source.name: run ${source.runId} has no dataset input named '${source.name}' (its datasets: ${known})` : `source.runId: run ${source.runId} logged no dataset input`);
      }
      for (const dataset of datasets) {
        const file = localFileOf(dataset.source);
        if (file) return file;
      }
      throw invalid(`source: the dataset '${datasets[0]!.name}' of run ${source.runId} comes from ${datasets[0]!.source}, which is not a file on this machine; choose the file itself`);
    }
  }
}

function runOf(runs: RunReader, runId: string) {
  try {
    return runs.getRunDetail(runId);
  } catch (error) {
    if (error instanceof OrreryError && (error.code === 'NOT_FOUND' || error.code === 'INVALID_INPUT')) throw invalid(`source.runId: no run with id '${runId}'`);
    throw error;
  }
}

/** MLflow records a dataset's source as JSON ({"uri": "…"} or {"path": "…"}) or as a plain URI or path. */
export function localFileOf(source: string): string | null {
  let text = source.trim();
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') {
      const record = parsed as Record<string, unknown>;
      const uri = record.uri ?? record.path ?? record.url;
      if (typeof uri !== 'string') return null;
      text = uri;
    }
  } catch {
    // a plain string source
  }
  if (text.startsWith('file://')) {
    try {
      return fileURLToPath(text);
    } catch {
      return null;
    }
  }
  return path.isAbsolute(text) ? text : null;
}
