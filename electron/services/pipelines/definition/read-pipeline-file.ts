import fs from 'node:fs/promises';
import path from 'node:path';
import type { DefinitionProblem, PipelineDefinition } from '../pipeline-definition';
import { within } from './dep-edges';
import { readDvcFile } from './dvc-file';
import { readOrreryPipeline } from './orrery-pipeline-file';
import { PipelineFileError, type ParsedPipeline } from './pipeline-file-error';

/** A pipeline file is a page of YAML; anything this big is the wrong file (and parsing it would hold the app). */
const MAX_FILE_BYTES = 256 * 1024;
/** Deeper than any pipeline is written; the parser recurses once per level. */
const MAX_NESTING = 64;

/** `dvc.yaml` / `dvc.yml` are DVC's; any other name is an Orrery pipeline file. */
export function dialectOf(file: string): PipelineDefinition['dialect'] {
  return /^dvc\.ya?ml$/.test(path.basename(file)) ? 'dvc' : 'orrery';
}

/**
 * Reads and parses a pipeline file, then checks what only the disk can tell: every dep exists,
 * unless a stage of the pipeline makes it (its outs hold it, or it holds their outs), and so does
 * every params file a command stage reads. Throws a `PipelineFileError` listing every problem.
 * Images are the runner's to check (it knows which runner the stages will use).
 */
export async function readPipelineFile(file: string): Promise<PipelineDefinition> {
  const absolute = path.resolve(file);
  const text = await readText(absolute);
  const depth = nestingDepth(text);
  if (depth > MAX_NESTING) throw new PipelineFileError(absolute, [{ line: null, field: '', message: `nests ${depth} levels deep; a pipeline file nests at most ${MAX_NESTING}` }]);
  const parsed = dialectOf(absolute) === 'dvc' ? readDvcFile(text, absolute) : readOrreryPipeline(text, absolute);
  const problems = await missingOnDisk(parsed);
  if (problems.length > 0) throw new PipelineFileError(absolute, problems);
  return parsed.definition;
}

async function readText(file: string): Promise<string> {
  const refuse = (message: string): never => {
    throw new PipelineFileError(file, [{ line: null, field: '', message }]);
  };
  const stat = await fs.stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return refuse('no such file: give the path of an orrery.pipeline.yaml or a dvc.yaml');
    return refuse(`cannot be read: ${error.message}`);
  });
  if (stat.isDirectory()) refuse('is a folder, not a pipeline file: give the orrery.pipeline.yaml or dvc.yaml inside it');
  if (!stat.isFile()) refuse('is not a regular file');
  // Only YAML files: the errors quote what they read, so any other file is not read at all.
  if (!/\.ya?ml$/i.test(file)) refuse('is not a pipeline file: give an orrery.pipeline.yaml, a dvc.yaml or another .yaml/.yml file');
  if (stat.size > MAX_FILE_BYTES) refuse(`is ${(stat.size / 1024 / 1024).toFixed(1)} MiB; a pipeline file is at most 256 KiB`);
  return fs.readFile(file, 'utf8').catch((error: Error) => refuse(`cannot be read: ${error.message}`));
}

async function missingOnDisk({ definition, depSites }: ParsedPipeline): Promise<DefinitionProblem[]> {
  const outs = definition.stages.flatMap((s) => s.outs);
  const made = (p: string): boolean => outs.some((out) => within(p, out) || within(out, p));
  const problems: DefinitionProblem[] = [];
  for (const stage of definition.stages) {
    // A frozen stage never runs, so what it would read does not matter.
    if (stage.kind === 'cmd' && stage.frozen) continue;
    for (const dep of depSites.get(stage.name) ?? []) {
      if (made(dep.path) || (await exists(dep.path))) continue;
      problems.push({ line: dep.line, field: dep.field ?? `stages.${stage.name}.deps`, message: `dep '${shown(definition.folder, dep.path)}' does not exist` });
    }
    if (stage.kind !== 'cmd') continue;
    for (const params of stage.paramFiles) {
      if (made(params.file) || (await exists(params.file))) continue;
      problems.push({ line: stage.line, field: `stages.${stage.name}.params`, message: `params file '${shown(definition.folder, params.file)}' does not exist` });
    }
  }
  return problems;
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

/** Relative to the pipeline's folder when inside it, as the user wrote it. */
function shown(folder: string, file: string): string {
  const relative = path.relative(folder, file);
  return relative === '' ? '.' : relative.startsWith('..') ? file : relative;
}

/** The deepest nesting of flow collections or indentation, counted without parsing. */
function nestingDepth(text: string): number {
  let deepest = 0;
  let depth = 0;
  for (const line of text.split('\n')) {
    const indent = line.length - line.trimStart().length;
    deepest = Math.max(deepest, Math.floor(indent / 2));
    let quote: string | null = null; // brackets inside a quoted string (a command) do not nest
    for (const char of line) {
      if (quote !== null) {
        if (char === quote) quote = null;
      } else if (char === '"' || char === "'") quote = char;
      else if (char === '#') break;
      else if (char === '[' || char === '{') deepest = Math.max(deepest, ++depth);
      else if ((char === ']' || char === '}') && depth > 0) depth--;
    }
  }
  return deepest;
}
