import path from 'node:path';
import type { Node } from 'yaml';
import { jobSpecSchema, type JobSpec } from '../../../../shared/contract/training-spec';
import { SpecFromYaml } from './yaml-to-spec';
import type { YamlReader } from './yaml-reader';

/**
 * A stage's `job:` map → the training job spec `orrery jobs submit` takes, checked by the same
 * schema. The file's names are snake_case like the rest of it (`params`, `memory_gb`); the spec's
 * camelCase names are accepted too. The workspace mount is not added here: the runner adds the
 * pipeline's folder when it runs the stage.
 */
const ALIASES: Record<string, string> = {
  params: 'hyperparameters',
  passParamsAsArgs: 'passHyperparametersAsArgs',
};

export interface JobContext {
  folder: string;
  pipeline: string;
  stage: string;
}

export function readJobSpec(reader: YamlReader, node: Node | null, field: string, line: number | null, ctx: JobContext): JobSpec | undefined {
  const spec = new SpecFromYaml(reader, { aliases: ALIASES, verbatim: new Set(['env', 'hyperparameters']) });
  const raw = spec.read(node, field, line);
  if (!raw) return undefined;
  // A command written as one string is a shell line, as in a Dockerfile's RUN or a dvc.yaml `cmd`.
  if (typeof raw.command === 'string') raw.command = ['sh', '-c', raw.command];
  // Mount sources are host paths, relative to the pipeline file's folder like every other path in it.
  if (Array.isArray(raw.mounts)) {
    for (const mount of raw.mounts as unknown[]) {
      if (isRecord(mount) && typeof mount.source === 'string' && mount.source !== '') mount.source = path.resolve(ctx.folder, mount.source);
    }
  }
  raw.name ??= `${ctx.pipeline}/${ctx.stage}`;
  raw.experiment ??= ctx.pipeline;
  const parsed = jobSpecSchema.safeParse(raw);
  if (!parsed.success) {
    spec.report(parsed.error.issues);
    return undefined;
  }
  return parsed.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
