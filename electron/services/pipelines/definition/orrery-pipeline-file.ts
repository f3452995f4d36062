import path from 'node:path';
import type { Node } from 'yaml';
import type { PipelineDefinition, StageDefinition, StageKind, TriggerSpec } from '../pipeline-definition';
import type { StagePath } from './dep-edges';
import { cronProblem, parseCommitTarget } from './definition-values';
import { readStage, type StageDraft } from './orrery-stages';
import { PipelineFileError, type ParsedPipeline } from './pipeline-file-error';
import { upstreamOf } from './pipeline-graph';
import { checkNeedNames, linkStages } from './stage-links';
import { join, YamlReader } from './yaml-reader';

/*
 * `orrery.pipeline.yaml`: how a model goes from data to a deployment. Paths are relative to the
 * file's folder (a cmd stage's deps/outs/params to its `wdir`); keys may be written snake_case or
 * camelCase. Every problem is reported with its line and field, all at once.
 *
 *   name: digits                    # optional; default: the folder's name
 *   triggers:                       # optional; each a one-key map
 *     - cron: "0 3 * * *"           #   5 fields (6 with seconds) or @daily, @hourly, …
 *     - dataset: data/              #   a file or folder whose content is watched
 *     - commit: ../repo:main        #   REPO:BRANCH of a local git repository
 *     - alert: digits               #   a firing drift/performance alert of this deployment
 *   stages:                         # a map, run as a DAG; file order breaks ties
 *     validate:
 *       kind: validate-data         # monitoring's drift + data-quality checks
 *       reference: data/reference.csv
 *       current: data/current.csv
 *       drift_share: 0.5            # optional: share of drifted columns that fails it
 *       fail_on_quality: true       # optional, default true
 *     train:
 *       kind: train                 # `job` for a plain job; a stage with `job:` and no kind is a job
 *       needs: [validate]           # a name or a list; deps on another stage's outs add needs too
 *       job:                        # `orrery jobs submit`'s spec: name (default PIPELINE/STAGE),
 *         image: orrery/python:local    # experiment (default: the pipeline's name), env, mounts,
 *         command: [python3, train.py]  # working_dir, retries, priority, early_stopping, …;
 *         params: {epochs: 5}           # a string command runs with sh -c; params are the
 *         resources: {gpus: 0, cpus: 1, memory_gb: 4}   # hyperparameters (and the stage's params)
 *       deps: [train.py, data/]     # files and folders whose content is part of the stage's key
 *       outs: [model/]
 *     evaluate:
 *       kind: evaluate              # gates on the run of `from` (default: the only train stage upstream)
 *       needs: [train]
 *       thresholds: {accuracy: ">= 0.9", loss: "< 0.5"}      # >=, >, <=, <, ==
 *       beat: {model: digits, metric: accuracy, by: 0.01, mode: max}   # alias: …; default Production
 *     register: {kind: register, needs: [evaluate], model: digits, path: model, auto_approve: true}
 *     deploy:
 *       kind: deploy                # rolls out the version of `from` (default: the only register upstream)
 *       needs: [register]
 *       deployment: digits
 *       strategy: canary            # canary (default), blue-green, rolling, shadow
 *       settings: {steps: [10, 50, 100], min_requests: 20}   # serving's rollout settings
 *       replicas: 1
 *       cpus: 1                     # each replica's limits when a first run creates it (optional)
 *       memory_gb: 1                #   and gpus: N
 *       approval_timeout: 24h       # how long a version waiting for approval holds the stage
 *     report:
 *       cmd: python3 report.py      # a command stage, as in dvc.yaml: cmd (string or list), wdir,
 *       deps: [model/]              # deps, outs, params, frozen, always_changed, image
 */
const TOP_LEVEL = ['name', 'triggers', 'stages'];
const TRIGGER_KINDS = ['cron', 'dataset', 'commit', 'alert'];
const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const PIPELINE_NAME_MAX = 100;

/** Throws a `PipelineFileError` listing every problem. */
export function parseOrreryPipeline(text: string, file: string): PipelineDefinition {
  return readOrreryPipeline(text, file).definition;
}

/** The definition, with where each stage's deps are written (for the on-disk checks). */
export function readOrreryPipeline(text: string, file: string): ParsedPipeline {
  const absolute = path.resolve(file);
  const folder = path.dirname(absolute);
  const reader = new YamlReader(text);
  const depSites = new Map<string, StagePath[]>();
  const definition = reader.problems.length > 0 ? undefined : readFile(reader, absolute, folder, depSites);
  if (reader.problems.length > 0 || !definition) throw new PipelineFileError(absolute, reader.problems);
  return { definition, depSites };
}

function readFile(reader: YamlReader, file: string, folder: string, depSites: Map<string, StagePath[]>): PipelineDefinition | undefined {
  const entries = reader.map(reader.root, '', 'a map with `stages:` (and optionally `name:` and `triggers:`)');
  if (!entries) return undefined;
  const top = new Map(entries.map((e) => [e.key, e]));
  for (const entry of entries) {
    if (!TOP_LEVEL.includes(entry.key)) reader.problem(entry.line, entry.key, `unknown field (known: ${TOP_LEVEL.join(', ')})`);
  }
  const name = readName(reader, top.get('name')?.value ?? null, top.has('name')) ?? path.basename(folder);
  const triggers = top.has('triggers') ? readTriggers(reader, top.get('triggers')!.value, folder) : [];
  if (!top.has('stages')) {
    reader.problem(1, 'stages', 'is required: a map of stage names to stages');
    return undefined;
  }
  const stageEntries = reader.map(top.get('stages')!.value, 'stages', 'a map of stage names to stages', 'stage name');
  if (!stageEntries) return undefined;
  if (stageEntries.length === 0) reader.problem(top.get('stages')!.line, 'stages', 'must have at least one stage');
  const drafts: StageDraft[] = [];
  for (const entry of stageEntries) {
    if (!STAGE_NAME.test(entry.key)) {
      reader.problem(entry.line, `stages.${entry.key}`, "a stage name must be 1–100 letters, digits, '_', '.' or '-', starting with a letter or digit");
      continue;
    }
    const read = readStage(reader, entry.key, entry.value, entry.line, { folder, pipeline: name });
    if (read.draft) drafts.push(read.draft);
    else checkNeedNames(reader, read.needs, stageEntries.map((e) => e.key));
  }
  // Stages that failed to read still count as names, so a `needs` on them is not reported twice.
  const linked = linkStages(reader, drafts, stageEntries.map((e) => e.key));
  if (!linked || drafts.length !== stageEntries.length) return undefined;
  resolveFrom(reader, drafts);
  for (const draft of drafts) depSites.set(draft.stage.name, draft.deps);
  return { file, folder, name, dialect: 'orrery', stages: drafts.map((d) => d.stage), triggers };
}

function readName(reader: YamlReader, node: Node | null, given: boolean): string | undefined {
  if (!given) return undefined;
  const name = reader.string(node, 'name');
  if (name === undefined) return undefined;
  if (name.trim() === '' || name.length > PIPELINE_NAME_MAX || /[\p{Cc}]/u.test(name)) {
    reader.problem(node, 'name', `must be 1–${PIPELINE_NAME_MAX} characters on one line`);
    return undefined;
  }
  return name.trim();
}

function readTriggers(reader: YamlReader, node: Node | null, folder: string): TriggerSpec[] {
  const triggers: TriggerSpec[] = [];
  (reader.list(node, 'triggers', 'a list of one-key maps (cron, dataset, commit or alert)') ?? []).forEach((item, i) => {
    const field = `triggers[${i}]`;
    const entries = reader.map(item, field, 'a one-key map, like `- cron: "0 3 * * *"`');
    if (!entries) return;
    if (entries.length !== 1) {
      reader.problem(item, field, `must have exactly one key (one of ${TRIGGER_KINDS.join(', ')}); write each trigger as its own list item`);
      return;
    }
    const { key, value, line } = entries[0]!;
    const keyField = join(field, key);
    if (!TRIGGER_KINDS.includes(key)) {
      reader.problem(line, keyField, `unknown trigger (known: ${TRIGGER_KINDS.join(', ')})`);
      return;
    }
    const target = reader.string(value, keyField);
    if (target === undefined) return;
    if (target.trim() === '') {
      reader.problem(value, keyField, 'must not be empty');
      return;
    }
    if (key === 'cron') {
      const problem = cronProblem(target);
      if (problem) reader.problem(value, keyField, problem);
      else triggers.push({ kind: 'cron', expression: target });
    } else if (key === 'dataset') {
      triggers.push({ kind: 'dataset', path: path.resolve(folder, target) });
    } else if (key === 'commit') {
      const commit = parseCommitTarget(target, folder);
      if (typeof commit === 'string') reader.problem(value, keyField, commit);
      else triggers.push({ kind: 'commit', ...commit });
    } else {
      if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(target)) reader.problem(value, keyField, "must be a deployment name: 1–63 lowercase letters, digits or '-'");
      else triggers.push({ kind: 'alert', deployment: target });
    }
  });
  return triggers;
}

/** What `from` may name for each kind that has one; the first list is preferred for the default. */
const FROM_KINDS: Partial<Record<StageKind, ReadonlyArray<readonly StageKind[]>>> = {
  evaluate: [['train'], ['job']],
  register: [['train'], ['job']],
  deploy: [['register']],
};

/**
 * Each evaluate / register / deploy stage's `from`: as written (it must be of the right kind and
 * upstream through `needs`), or the only stage of the right kind upstream.
 */
function resolveFrom(reader: YamlReader, drafts: StageDraft[]): void {
  const stages = drafts.map((d) => d.stage);
  const byName = new Map(stages.map((s) => [s.name, s]));
  for (const draft of drafts) {
    const stage = draft.stage;
    const tiers = FROM_KINDS[stage.kind];
    if (!tiers || !('from' in stage)) continue;
    const allowed = tiers.flat();
    const upstream = [...upstreamOf(stages, stage.name)].filter((n) => n !== stage.name).map((n) => byName.get(n)!);
    const words = allowed.join(' or ');
    if (draft.from) {
      const target = byName.get(draft.from.name);
      if (!target) reader.problem(draft.from.line, draft.from.field, `names no stage: '${draft.from.name}'`);
      else if (!allowed.includes(target.kind)) reader.problem(draft.from.line, draft.from.field, `must name ${a(words)} stage; '${target.name}' is ${a(target.kind)} stage`);
      else if (!upstream.includes(target)) reader.problem(draft.from.line, draft.from.field, `'${target.name}' must run first: add it to this stage's needs (directly or through another stage)`);
      else (stage as StageDefinition & { from: string }).from = target.name;
      continue;
    }
    const candidates = tiers.map((kinds) => upstream.filter((s) => kinds.includes(s.kind))).find((found) => found.length > 0) ?? [];
    if (candidates.length === 1) (stage as StageDefinition & { from: string }).from = candidates[0]!.name;
    else if (candidates.length === 0) reader.problem(stage.line, `${draft.field}.needs`, `${a(stage.kind)} stage needs ${a(words)} stage upstream (through needs); none is`);
    else reader.problem(stage.line, `${draft.field}.from`, `several ${candidates[0]!.kind} stages are upstream (${candidates.map((s) => s.name).join(', ')}): name one with \`from:\``);
  }
}

function a(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}
