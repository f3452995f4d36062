import path from 'node:path';
import { isSeq, type Node } from 'yaml';
import { MODEL_NAME } from '../../../../shared/contract/registry';
import { rolloutSettingsSchema, rolloutStrategies } from '../../../../shared/contract/serving';
import type { DeployStage, MetricThreshold, StageDefinition, StageKind } from '../pipeline-definition';
import type { StagePath } from './dep-edges';
import { parseDuration, parseThreshold } from './definition-values';
import { readJobSpec } from './orrery-job-spec';
import { readSweepSpec } from './orrery-sweep-spec';
import { readParamFiles } from './param-files';
import { join, type MapEntry, type YamlReader } from './yaml-reader';
import { SpecFromYaml } from './yaml-to-spec';

/**
 * One stage of an `orrery.pipeline.yaml`, read field by field for its kind. Cross-stage rules
 * (needs naming known stages, cycles, `from` defaults) are the file reader's.
 */
export const STAGE_KINDS: readonly StageKind[] = ['validate-data', 'train', 'job', 'evaluate', 'register', 'deploy', 'cmd'];

/** Fields each kind takes (snake_case; camelCase is read as the same field). */
const FIELDS: Record<StageKind, readonly string[]> = {
  'validate-data': ['reference', 'current', 'drift_share', 'fail_on_quality'],
  train: ['job', 'sweep', 'deps', 'outs'],
  job: ['job', 'deps', 'outs'],
  evaluate: ['from', 'thresholds', 'beat'],
  register: ['from', 'model', 'path', 'auto_approve'],
  deploy: ['from', 'deployment', 'strategy', 'settings', 'replicas', 'cpus', 'memory_gb', 'gpus', 'approval_timeout'],
  cmd: ['cmd', 'wdir', 'deps', 'outs', 'params', 'image', 'frozen', 'always_changed'],
};
const COMMON = ['kind', 'needs'];
const REQUIRED: Partial<Record<StageKind, readonly string[]>> = {
  'validate-data': ['reference', 'current'],
  train: ['job'],
  job: ['job'],
  register: ['model'],
  deploy: ['deployment'],
  cmd: ['cmd'],
};

export const DEFAULT_STAGE_IMAGE = 'orrery/python:local';
const DEFAULT_APPROVAL_TIMEOUT_MS = 24 * 3_600_000;
const DEPLOYMENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A stage as read, before the file reader resolves what spans stages. */
export interface StageDraft {
  stage: StageDefinition;
  field: string;
  needs: Array<{ name: string; line: number | null; field: string }>;
  deps: StagePath[];
  outs: StagePath[];
  /** `from:` as written (evaluate, register, deploy); absent: the reader picks the only candidate. */
  from?: { name: string; line: number | null; field: string };
}

export interface StageContext {
  folder: string;
  pipeline: string;
}

/** The stage, or only its `needs` when it has problems (so needs naming no stage are still reported). */
export function readStage(reader: YamlReader, name: string, node: Node | null, line: number | null, ctx: StageContext): { draft?: StageDraft; needs: StageDraft['needs'] } {
  const field = `stages.${name}`;
  const entries = reader.map(node, field, "a map of the stage's fields");
  if (!entries) return { needs: [] };
  const byName = new Map<string, MapEntry>();
  for (const entry of entries) {
    const canonical = snake(entry.key);
    if (byName.has(canonical)) reader.problem(entry.line, join(field, entry.key), `is the same field as '${byName.get(canonical)!.key}'; give it once`);
    else byName.set(canonical, entry);
  }
  const fields = new Fields(reader, byName, field, ctx.folder);
  const needs = (fields.strings('needs') ?? []).map((n, i, all) => ({ name: n.value, line: reader.lineOf(n.node), field: all.length === 1 && !isSeq(fields.node('needs')) ? fields.fieldOf('needs') : `${fields.fieldOf('needs')}[${i}]` }));
  const kind = stageKind(reader, byName, field, line);
  if (!kind) return { needs };
  const allowed = new Set([...COMMON, ...FIELDS[kind]]);
  for (const [canonical, entry] of byName) {
    if (!allowed.has(canonical)) reader.problem(entry.line, join(field, entry.key), `unknown field for a ${kind} stage (known: ${[...allowed].join(', ')})`);
  }
  let complete = true;
  for (const required of REQUIRED[kind] ?? []) {
    if (!byName.has(required)) {
      reader.problem(line, join(field, required), `is required for a ${kind} stage`);
      complete = false;
    }
  }
  const fromEntry = byName.get('from');
  const fromName = fields.string('from');
  const draft = { field, needs, deps: [] as StagePath[], outs: [] as StagePath[], ...(fromName !== undefined ? { from: { name: fromName, line: fromEntry!.line, field: join(field, fromEntry!.key) } } : {}) };
  const base = { name, needs: [] as string[], deps: [] as string[], outs: [] as string[], params: {}, line: line ?? 1 };
  const stage = readKind(kind, reader, fields, draft, base, ctx);
  return complete && stage ? { draft: { ...draft, stage }, needs } : { needs };
}

type Base = Pick<StageDefinition, 'name' | 'needs' | 'deps' | 'outs' | 'params' | 'line'>;
type Draft = Omit<StageDraft, 'stage'>;

function readKind(kind: StageKind, reader: YamlReader, f: Fields, draft: Draft, base: Base, ctx: StageContext): StageDefinition | undefined {
  switch (kind) {
    case 'validate-data': {
      const reference = f.path('reference');
      const current = f.path('current');
      const driftShare = f.number('drift_share');
      if (driftShare !== undefined && !(driftShare > 0 && driftShare <= 1)) f.problem('drift_share', 'must be more than 0 and at most 1 (the share of drifted columns)');
      const failOnQuality = f.boolean('fail_on_quality') ?? true;
      draft.deps = [reference, current].filter((p): p is StagePath => p !== undefined);
      if (!reference || !current) return undefined;
      return { ...base, kind, deps: [reference.path, current.path], reference: reference.path, current: current.path, ...(driftShare !== undefined ? { driftShare } : {}), failOnQuality };
    }
    case 'train':
    case 'job': {
      draft.deps = f.paths('deps');
      draft.outs = f.paths('outs');
      const job = f.has('job') ? readJobSpec(reader, f.node('job'), f.fieldOf('job'), f.lineOf('job'), { folder: ctx.folder, pipeline: ctx.pipeline, stage: base.name }) : undefined;
      const sweep = kind === 'train' && f.has('sweep') ? readSweepSpec(reader, f.node('sweep'), f.fieldOf('sweep'), f.lineOf('sweep')) : undefined;
      if (!job || (f.has('sweep') && !sweep)) return undefined;
      return { ...base, kind, deps: draft.deps.map((p) => p.path), outs: draft.outs.map((p) => p.path), params: job.hyperparameters, job, ...(sweep ? { sweep } : {}) };
    }
    case 'cmd': {
      const wdirText = f.string('wdir');
      const wdir = path.resolve(ctx.folder, wdirText ?? '.');
      const cmd = (f.strings('cmd') ?? []).map((c) => c.value);
      if (f.has('cmd') && cmd.length === 0) f.problem('cmd', 'must have at least one command');
      draft.deps = f.paths('deps', wdir);
      draft.outs = f.paths('outs', wdir);
      const paramFiles = f.has('params') ? readParamFiles(reader, f.node('params'), f.fieldOf('params'), wdir) : [];
      const image = f.string('image') ?? DEFAULT_STAGE_IMAGE;
      if (image.trim() === '') f.problem('image', 'must name a local image');
      return { ...base, kind, deps: draft.deps.map((p) => p.path), outs: draft.outs.map((p) => p.path), cmd, wdir, frozen: f.boolean('frozen') ?? false, alwaysChanged: f.boolean('always_changed') ?? false, image, paramFiles };
    }
    case 'evaluate': {
      const thresholds: MetricThreshold[] = [];
      if (f.has('thresholds')) {
        for (const entry of reader.map(f.node('thresholds'), f.fieldOf('thresholds'), 'a map of metric: "comparison", like accuracy: ">= 0.9"') ?? []) {
          const text = reader.string(entry.value, join(f.fieldOf('thresholds'), entry.key), 'a comparison like ">= 0.9"');
          if (text === undefined) continue;
          const threshold = parseThreshold(entry.key, text);
          if (typeof threshold === 'string') reader.problem(entry.line, join(f.fieldOf('thresholds'), entry.key), threshold);
          else thresholds.push(threshold);
        }
      }
      const beat = f.has('beat') ? readBeat(reader, f.node('beat'), f.fieldOf('beat')) : undefined;
      if (!f.has('thresholds') && !f.has('beat')) reader.problem(base.line, f.fieldOf('thresholds'), 'an evaluate stage needs `thresholds`, `beat` or both');
      return { ...base, kind, from: '', thresholds, ...(beat ? { beat } : {}) };
    }
    case 'register': {
      const model = f.string('model');
      if (model !== undefined && !MODEL_NAME.test(model)) f.problem('model', "must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 128)");
      const artifactPath = f.string('path') ?? '';
      if (artifactPath.startsWith('/') || artifactPath.split('/').includes('..')) f.problem('path', "must be a folder inside the run's artifacts (no leading '/' or '..')");
      return { ...base, kind, from: '', model: model ?? '', path: artifactPath.replace(/^\.\/+|^\.$|\/+$/g, ''), autoApprove: f.boolean('auto_approve') ?? false };
    }
    case 'deploy': {
      const deployment = f.string('deployment');
      if (deployment !== undefined && !DEPLOYMENT_NAME.test(deployment)) f.problem('deployment', "must be 1–63 lowercase letters, digits or '-', starting with a letter or digit");
      const strategy = f.string('strategy') ?? 'canary';
      if (!(rolloutStrategies as readonly string[]).includes(strategy)) f.problem('strategy', `must be one of ${rolloutStrategies.join(', ')} (got '${strategy}')`);
      const replicas = f.number('replicas') ?? 1;
      if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= 64)) f.problem('replicas', 'must be a whole number 1–64');
      // Limits of each replica a first run creates (serving's defaults when absent), checked as serving checks them.
      const limits = { cpus: f.number('cpus'), memoryGb: f.number('memory_gb'), gpus: f.number('gpus') };
      if (limits.cpus !== undefined && !(limits.cpus >= 0.01 && limits.cpus <= 1024)) f.problem('cpus', 'must be 0.01–1024 (Docker\'s smallest CPU share is 0.01)');
      if (limits.memoryGb !== undefined && !(limits.memoryGb >= 0.01 && limits.memoryGb <= 4096)) f.problem('memory_gb', 'must be 0.01–4096 GB');
      if (limits.gpus !== undefined && !(Number.isInteger(limits.gpus) && limits.gpus >= 0 && limits.gpus <= 64)) f.problem('gpus', 'must be a whole number 0–64');
      const timeoutText = f.string('approval_timeout');
      const timeout = timeoutText === undefined ? DEFAULT_APPROVAL_TIMEOUT_MS : parseDuration(timeoutText);
      if (typeof timeout === 'string') f.problem('approval_timeout', timeout);
      let settings: Record<string, unknown> = {};
      if (f.has('settings')) {
        const spec = new SpecFromYaml(reader);
        const raw = spec.read(f.node('settings'), f.fieldOf('settings'), f.lineOf('settings'));
        const parsed = raw ? rolloutSettingsSchema.safeParse(raw) : undefined;
        if (parsed && !parsed.success) spec.report(parsed.error.issues);
        settings = raw ?? {};
      }
      return { ...base, kind, from: '', deployment: deployment ?? '', strategy: strategy as DeployStage['strategy'], settings, replicas, ...definedLimits(limits), approvalTimeoutMs: typeof timeout === 'number' ? timeout : DEFAULT_APPROVAL_TIMEOUT_MS };
    }
  }
}

function readBeat(reader: YamlReader, node: Node | null, field: string): NonNullable<Extract<StageDefinition, { kind: 'evaluate' }>['beat']> | undefined {
  const entries = reader.map(node, field, 'a map with model, metric and optionally alias, by and mode');
  if (!entries) return undefined;
  const byName = new Map(entries.map((e) => [snake(e.key), e]));
  const f = new Fields(reader, byName, field, '');
  for (const [canonical, entry] of byName) {
    if (!['model', 'alias', 'metric', 'by', 'mode'].includes(canonical)) reader.problem(entry.line, join(field, entry.key), 'unknown field (known: model, alias, metric, by, mode)');
  }
  const model = f.string('model');
  const metric = f.string('metric');
  if (model === undefined && !byName.has('model')) reader.problem(node, join(field, 'model'), 'is required');
  if (model !== undefined && !MODEL_NAME.test(model)) f.problem('model', "must start with a letter or digit and contain only letters, digits, '.', '_' or '-' (at most 128)");
  if (metric === undefined && !byName.has('metric')) reader.problem(node, join(field, 'metric'), 'is required');
  const alias = f.string('alias');
  const by = f.number('by') ?? 0;
  if (by < 0) f.problem('by', 'must be 0 or more (how much better the new run must be)');
  const mode = f.string('mode') ?? 'max';
  if (mode !== 'max' && mode !== 'min') f.problem('mode', `must be max or min (got '${mode}')`);
  if (model === undefined || metric === undefined) return undefined;
  return { model, metric, by, mode: mode === 'min' ? 'min' : 'max', ...(alias !== undefined ? { alias } : {}) };
}

function stageKind(reader: YamlReader, byName: Map<string, MapEntry>, field: string, line: number | null): StageKind | undefined {
  const entry = byName.get('kind');
  if (!entry) {
    if (byName.has('cmd')) return 'cmd';
    if (byName.has('job')) return 'job';
    reader.problem(line, join(field, 'kind'), `is required (one of ${STAGE_KINDS.join(', ')}), or give \`cmd:\` or \`job:\``);
    return undefined;
  }
  const kind = reader.string(entry.value, join(field, entry.key));
  if (kind === undefined) return undefined;
  if (!(STAGE_KINDS as readonly string[]).includes(kind)) {
    reader.problem(entry.line, join(field, entry.key), `unknown kind '${kind}' (known: ${STAGE_KINDS.join(', ')})`);
    return undefined;
  }
  return kind as StageKind;
}

/** camelCase → snake_case, so `autoApprove` and `auto_approve` are one field. */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Typed reads of a stage's fields by their snake_case name, reporting with the key as written. */
class Fields {
  constructor(
    private readonly reader: YamlReader,
    private readonly byName: Map<string, MapEntry>,
    private readonly field: string,
    private readonly folder: string,
  ) {}

  has(name: string): boolean {
    return this.byName.has(name);
  }
  node(name: string): Node | null {
    return this.byName.get(name)?.value ?? null;
  }
  lineOf(name: string): number | null {
    return this.byName.get(name)?.line ?? null;
  }
  fieldOf(name: string): string {
    return join(this.field, this.byName.get(name)?.key ?? name);
  }
  problem(name: string, message: string): void {
    const entry = this.byName.get(name);
    this.reader.problem(entry?.value ?? entry?.line ?? null, this.fieldOf(name), message);
  }
  string(name: string): string | undefined {
    return this.has(name) ? this.reader.string(this.node(name), this.fieldOf(name)) : undefined;
  }
  number(name: string): number | undefined {
    return this.has(name) ? this.reader.number(this.node(name), this.fieldOf(name)) : undefined;
  }
  boolean(name: string): boolean | undefined {
    return this.has(name) ? this.reader.boolean(this.node(name), this.fieldOf(name)) : undefined;
  }
  strings(name: string): Array<{ value: string; node: Node }> | undefined {
    return this.has(name) ? this.reader.strings(this.node(name), this.fieldOf(name)) : undefined;
  }
  /** One path, relative to `base` (the file's folder by default), made absolute. */
  path(name: string, base = this.folder): StagePath | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (text.trim() === '') {
      this.problem(name, 'must be a path');
      return undefined;
    }
    return { path: path.resolve(base, text), line: this.reader.lineOf(this.node(name)), field: this.fieldOf(name) };
  }
  /** A path or a list of them, each made absolute against `base`. */
  paths(name: string, base = this.folder): StagePath[] {
    const out: StagePath[] = [];
    (this.strings(name) ?? []).forEach((item, i) => {
      if (item.value.trim() === '') this.reader.problem(item.node, `${this.fieldOf(name)}[${i}]`, 'must be a path');
      else out.push({ path: path.resolve(base, item.value), line: this.reader.lineOf(item.node), field: `${this.fieldOf(name)}[${i}]` });
    });
    return out;
  }
}

function definedLimits(limits: { cpus: number | undefined; memoryGb: number | undefined; gpus: number | undefined }): Pick<DeployStage, 'cpus' | 'memoryGb' | 'gpus'> {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}
