import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { OrreryError } from '../../../../shared/errors';
import type { StageDefinition } from '../pipeline-definition';
import { canonicalJson } from './canonical-json';
import type { ContentHasher } from './content-hasher';
import { readParamValues } from './param-values';

/** Folders of a workspace that are never a job's code: tool state, caches, installed packages. */
export const IGNORED_FOLDERS: readonly string[] = ['.git', 'node_modules', '__pycache__', '.dvc', '.orrery'];

/** Bumped when what goes into a key changes, so keys made the old way never match. */
const KEY_VERSION = 1;

export interface StageKeyInput {
  stage: StageDefinition;
  /** The pipeline's folder: a `job` or `train` stage's workspace, whose files are its code. */
  folder: string;
  /** Every out of the pipeline's stages: made by stages, so never code. */
  outs: readonly string[];
  /**
   * The pipeline file itself: left out of the code, since each stage's own definition is keyed
   * already (editing one stage must not re-run the others). Optional: without it the file is code.
   */
  file?: string | undefined;
  /** The image's content digest as the engine reports it (a retag changes it); null when none runs. */
  imageDigest: string | null;
  /** The keys of the stages in `stage.needs`: an upstream stage with a new key re-keys this one. */
  upstreamKeys: Readonly<Record<string, string>>;
  hasher: ContentHasher;
}

/**
 * sha256 over a canonical JSON of everything a stage's result depends on: its definition (the
 * stage's fields, without its line and with `needs`, `deps` and `outs` sorted), the image digest,
 * params, each dep's content hash, its code (a job's or train's workspace other than outs,
 * ignored folders and its deps, which are keyed already; for a dvc stage, only its deps, as DVC
 * does), its params files' selected
 * values and the upstream stages' keys. A dep that does not exist fails with NOT_FOUND naming it.
 */
export async function stageKey(input: StageKeyInput): Promise<string> {
  const { stage, hasher } = input;
  const deps: Record<string, string> = {};
  for (const dep of [...new Set(stage.deps)].sort()) deps[dep] = await hashNamed(stage.name, 'dep', () => hasher.hash(dep));

  const upstream: Record<string, string> = {};
  for (const need of [...new Set(stage.needs)].sort()) {
    const key = input.upstreamKeys[need];
    if (key === undefined) throw new Error(`Stage "${stage.name}": no key for the stage it needs, "${need}" (keys are made upstream first)`);
    upstream[need] = key;
  }

  const code =
    stage.kind === 'job' || stage.kind === 'train'
      ? await hashNamed(stage.name, 'workspace', () =>
          hasher.hash(input.folder, { exclude: [...input.outs, ...stage.deps, ...(input.file ? [input.file] : [])], ignoreNames: IGNORED_FOLDERS }),
        )
      : null;
  const paramFiles = stage.kind === 'cmd' ? await readParamValues(stage.name, stage.paramFiles) : null;

  const material = {
    version: KEY_VERSION,
    definition: definitionOf(stage),
    imageDigest: input.imageDigest,
    params: stage.params,
    deps,
    code,
    paramFiles,
    upstream,
  };
  return createHash('sha256').update(canonicalJson(material)).digest('hex');
}

/** Whether every out of the stage exists (a dangling symlink does not count); the missing ones, named. */
export async function outputsPresent(stage: StageDefinition): Promise<{ present: boolean; missing: string[] }> {
  const missing: string[] = [];
  for (const out of stage.outs) {
    try {
      await fs.promises.stat(out);
    } catch {
      missing.push(out);
    }
  }
  return { present: missing.length === 0, missing };
}

/** The stage's own fields, without what is position in the file rather than meaning. */
function definitionOf(stage: StageDefinition): Record<string, unknown> {
  const { line: _line, needs, deps, outs, params: _params, ...rest } = stage;
  return { ...rest, needs: [...new Set(needs)].sort(), deps: [...new Set(deps)].sort(), outs: [...new Set(outs)].sort() };
}

/** Runs a hash, naming the stage in a NOT_FOUND or invalid-path error. */
async function hashNamed(stage: string, what: string, hash: () => Promise<string>): Promise<string> {
  try {
    return await hash();
  } catch (error) {
    if (error instanceof OrreryError) throw new OrreryError(error.code, `Stage "${stage}": ${what} ${error.message}`);
    throw error;
  }
}
