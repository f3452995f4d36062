import path from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { CommandStage, PipelineDefinition } from '../pipeline-definition';
import type { StagePath } from './dep-edges';
import { DEFAULT_STAGE_IMAGE } from './orrery-stages';
import { readParamFiles } from './param-files';
import { PipelineFileError, type ParsedPipeline } from './pipeline-file-error';
import { linkStages, type LinkableStage } from './stage-links';
import { describe, join, YamlReader, type MapEntry } from './yaml-reader';

/*
 * An unchanged `dvc.yaml`, read as DVC reads it (https://dvc.org/doc/user-guide/project-structure/dvcyaml-files):
 *
 *   stages:
 *     NAME:
 *       cmd: python train.py         # required: a string or a list, run in order with sh -c
 *       wdir: src                    # relative to the file's folder; deps, outs and params are relative to it
 *       deps: [data/prepared, train.py]
 *       params: [train.lr, {config.yaml: [model]}, {other.yaml: }]   # keys of params.yaml in wdir, or FILE: [keys]
 *       outs: [model.pkl, {cache_dir: {cache: false, persist: true}}]   # a path, or PATH: {flags}
 *       metrics: [{eval/metrics.json: {cache: false}}]   # outputs too
 *       plots: [eval/plots, {prc.json: {x: recall, y: precision}}]   # outputs too
 *       frozen: false                # a frozen stage never runs
 *       always_changed: false        # never up to date
 *       desc: …; meta: …             # accepted, unused
 *   plots: / metrics: / params: / artifacts: / datasets:   # top-level sections: accepted, unused here
 *
 * A stage needs the stages whose outs (or metrics, plots) its deps name: the same path, a folder
 * holding it, or a path inside it. Templating (`vars`, `foreach`/`do`, `matrix`, `${...}`) is
 * refused by name: running a stage with its placeholders unexpanded would be silently wrong.
 * Orrery keeps its own record of what ran and never writes `dvc.lock`.
 */
const TOP_LEVEL_IGNORED = ['plots', 'metrics', 'params', 'artifacts', 'datasets'];
const TEMPLATING = ['vars', 'foreach', 'do', 'matrix'];
const STAGE_FIELDS = ['cmd', 'wdir', 'deps', 'outs', 'metrics', 'plots', 'params', 'frozen', 'always_changed', 'desc', 'meta'];
const OUT_FLAGS = ['cache', 'persist', 'checkpoint', 'desc', 'type', 'labels', 'meta', 'remote', 'push'];
const PLOT_FLAGS = [...OUT_FLAGS, 'x', 'y', 'x_label', 'y_label', 'title', 'header', 'template'];
/** DVC refuses these in a stage name. */
const BAD_NAME_CHARS = /[\\/@:]/;
/** `${` not escaped as `\${`. */
const INTERPOLATION = /(^|[^\\])\$\{[^}]*\}?/;
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Throws a `PipelineFileError` listing every problem. */
export function parseDvcFile(text: string, file: string): PipelineDefinition {
  return readDvcFile(text, file).definition;
}

/** The definition, with where each stage's deps are written (for the on-disk checks). */
export function readDvcFile(text: string, file: string): ParsedPipeline {
  const absolute = path.resolve(file);
  const folder = path.dirname(absolute);
  const reader = new YamlReader(text);
  const depSites = new Map<string, StagePath[]>();
  const stages = reader.problems.length > 0 ? undefined : readFile(reader, folder, depSites);
  if (reader.problems.length > 0 || !stages) throw new PipelineFileError(absolute, reader.problems);
  return { definition: { file: absolute, folder, name: path.basename(folder), dialect: 'dvc', stages, triggers: [] }, depSites };
}

function readFile(reader: YamlReader, folder: string, depSites: Map<string, StagePath[]>): CommandStage[] | undefined {
  const entries = reader.map(reader.root, '', 'a map with `stages:`');
  if (!entries) return undefined;
  let stagesEntry: MapEntry | undefined;
  for (const entry of entries) {
    if (entry.key === 'stages') stagesEntry = entry;
    else if (TEMPLATING.includes(entry.key)) reader.problem(entry.line, entry.key, templating(entry.key));
    else if (!TOP_LEVEL_IGNORED.includes(entry.key)) reader.problem(entry.line, entry.key, `unknown field (dvc.yaml has: stages, ${TOP_LEVEL_IGNORED.join(', ')})`);
  }
  if (!stagesEntry) {
    reader.problem(1, 'stages', 'is required: this dvc.yaml has no stages to run');
    return undefined;
  }
  const stageEntries = reader.map(stagesEntry.value, 'stages', 'a map of stage names to stages', 'stage name');
  if (!stageEntries) return undefined;
  if (stageEntries.length === 0) reader.problem(stagesEntry.line, 'stages', 'must have at least one stage');
  const drafts: LinkableStage[] = [];
  for (const entry of stageEntries) {
    const draft = readStage(reader, entry, folder);
    if (draft) drafts.push(draft);
  }
  const linked = linkStages(reader, drafts, stageEntries.map((e) => e.key));
  for (const draft of drafts) depSites.set(draft.stage.name, [...draft.deps]);
  return linked && drafts.length === stageEntries.length ? drafts.map((d) => d.stage as CommandStage) : undefined;
}

function readStage(reader: YamlReader, { key: name, value, line }: MapEntry, folder: string): LinkableStage | undefined {
  const field = `stages.${name}`;
  if (BAD_NAME_CHARS.test(name)) reader.problem(line, field, "a stage name must not contain '\\', '/', '@' or ':'");
  const entries = reader.map(value, field, "a map of the stage's fields");
  if (!entries) return undefined;
  const byName = new Map<string, MapEntry>();
  let refused = false;
  for (const entry of entries) {
    const entryField = join(field, entry.key);
    if (TEMPLATING.includes(entry.key)) {
      reader.problem(entry.line, entryField, templating(entry.key));
      refused = true;
    } else if (!STAGE_FIELDS.includes(entry.key)) {
      reader.problem(entry.line, entryField, `unknown field (a dvc.yaml stage has: ${STAGE_FIELDS.join(', ')})`);
    } else {
      byName.set(entry.key, entry);
      if (entry.key !== 'desc' && entry.key !== 'meta') refused = refuseInterpolation(reader, entry.value, entryField) || refused;
    }
  }
  if (refused) return undefined;
  const problemsBefore = reader.problems.length;
  const at = (key: string): { node: Node | null; field: string } => ({ node: byName.get(key)?.value ?? null, field: join(field, key) });

  const wdirText = byName.has('wdir') ? reader.string(at('wdir').node, at('wdir').field) : undefined;
  const wdir = path.resolve(folder, wdirText ?? '.');
  const cmd: string[] = [];
  if (!byName.has('cmd')) reader.problem(line, join(field, 'cmd'), 'is required: the command the stage runs');
  else {
    (reader.strings(at('cmd').node, at('cmd').field) ?? []).forEach((c, i, all) => {
      if (c.value.trim() === '') reader.problem(c.node, all.length > 1 ? `${at('cmd').field}[${i}]` : at('cmd').field, 'must not be empty');
      else cmd.push(c.value.replaceAll('\\${', '${'));
    });
    if (cmd.length === 0 && reader.problems.length === problemsBefore) reader.problem(at('cmd').node, at('cmd').field, 'must have at least one command');
  }
  const deps = byName.has('deps') ? readDeps(reader, at('deps').node, at('deps').field, wdir) : [];
  const outs = [
    ...(byName.has('outs') ? readOuts(reader, at('outs').node, at('outs').field, wdir, OUT_FLAGS) : []),
    ...(byName.has('metrics') ? readOuts(reader, at('metrics').node, at('metrics').field, wdir, OUT_FLAGS) : []),
    ...(byName.has('plots') ? readOuts(reader, at('plots').node, at('plots').field, wdir, PLOT_FLAGS) : []),
  ];
  const paramFiles = byName.has('params') ? readParamFiles(reader, at('params').node, at('params').field, wdir) : [];
  const frozen = byName.has('frozen') ? reader.boolean(at('frozen').node, at('frozen').field) : false;
  const alwaysChanged = byName.has('always_changed') ? reader.boolean(at('always_changed').node, at('always_changed').field) : false;
  if (byName.has('desc')) reader.string(at('desc').node, at('desc').field);
  if (reader.problems.length > problemsBefore) return undefined;
  const stage: CommandStage = {
    kind: 'cmd',
    name,
    needs: [],
    deps: deps.map((d) => d.path),
    outs: outs.map((o) => o.path),
    params: {},
    line: line ?? 1,
    cmd,
    wdir,
    frozen: frozen ?? false,
    alwaysChanged: alwaysChanged ?? false,
    image: DEFAULT_STAGE_IMAGE,
    paramFiles,
  };
  return { stage, field, needs: [], deps, outs };
}

function readDeps(reader: YamlReader, node: Node | null, field: string, wdir: string): StagePath[] {
  const deps: StagePath[] = [];
  (reader.list(node, field, 'a list of paths') ?? []).forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    const text = reader.string(item, itemField, 'a path');
    if (text === undefined) return;
    if (text.trim() === '') reader.problem(item, itemField, 'must be a path');
    else if (URL.test(text)) reader.problem(item, itemField, `'${text}' is a remote dependency; Orrery runs stages from files on this machine (download it in an earlier stage, or list a local copy)`);
    else deps.push({ path: path.resolve(wdir, text), line: reader.lineOf(item), field: itemField });
  });
  return deps;
}

/** `outs`, `metrics` and `plots`: each item a path, or a one-key map `PATH: {flags}` (flags accepted, unused). */
function readOuts(reader: YamlReader, node: Node | null, field: string, wdir: string, flags: readonly string[]): StagePath[] {
  const outs: StagePath[] = [];
  (reader.list(node, field, 'a list of paths') ?? []).forEach((item, i) => {
    const itemField = `${field}[${i}]`;
    if (isScalar(item) && typeof item.value === 'string') {
      if (item.value.trim() === '') reader.problem(item, itemField, 'must be a path');
      else outs.push({ path: path.resolve(wdir, item.value), line: reader.lineOf(item), field: itemField });
      return;
    }
    if (!isMap(item)) {
      reader.problem(item, itemField, `must be a path or a \`PATH: {flags}\` map (got ${describe(item)})`);
      return;
    }
    const entries = reader.map(item, itemField) ?? [];
    if (entries.length !== 1) reader.problem(item, itemField, 'must be a map with one key, the path (its flags under it)');
    const entry = entries[0];
    if (!entry) return;
    const flagsField = join(itemField, entry.key);
    if (entry.value !== null && !(isScalar(entry.value) && entry.value.value === null)) {
      for (const flag of reader.map(entry.value, flagsField, 'a map of flags (like cache: false)') ?? []) {
        if (!flags.includes(flag.key)) reader.problem(flag.line, join(flagsField, flag.key), `unknown flag (known: ${flags.join(', ')})`);
      }
    }
    outs.push({ path: path.resolve(wdir, entry.key), line: entry.line, field: itemField });
  });
  return outs;
}

function templating(key: string): string {
  const what = key === 'do' ? 'foreach/do' : key;
  return `dvc.yaml templating (${what}) is not supported: Orrery runs dvc.yaml stages exactly as written, so write the expanded stages and values out`;
}

/** Reports every `${...}` under the node (map keys included, as outs are written as keys); true when one was found. */
function refuseInterpolation(reader: YamlReader, node: Node | null, field: string): boolean {
  if (isScalar(node)) {
    const match = typeof node.value === 'string' ? INTERPOLATION.exec(node.value) : null;
    if (match) reader.problem(node, field, `dvc.yaml templating (\${...} interpolation) is not supported: '${match[0].slice(match[1]!.length)}' would run as written; write the value out`);
    return match !== null;
  }
  let found = false;
  if (isSeq(node)) node.items.forEach((item, i) => (found = refuseInterpolation(reader, item as Node, `${field}[${i}]`) || found));
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      const keyText = isScalar(keyNode) ? String(keyNode.value) : '';
      found = refuseInterpolation(reader, keyNode, join(field, keyText)) || found;
      found = refuseInterpolation(reader, pair.value as Node | null, join(field, keyText)) || found;
    }
  }
  return found;
}
