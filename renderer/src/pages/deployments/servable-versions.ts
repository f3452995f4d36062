import type { ModelFlavor } from '../../../../shared/contract/registry';

/** The MLmodel flavors orrery/serve:local loads (electron/services/serving/model-flavors.ts SERVED_FLAVORS). */
const SERVED_FLAVORS = ['sklearn', 'xgboost', 'python_function'];

/** A choice in a version picker: a version number or @alias, with why it cannot be served (then disabled). */
export interface VersionChoice {
  value: string;
  unservable: string | null;
}

/**
 * Why a version cannot be served, or null when it may be: without an MLmodel file (a bare pickle,
 * ONNX …) or with none of the flavors the serving image loads. `flavors` is known on a full
 * version; a version summary has only its `flavor`.
 */
export function unservableReason(v: { flavor: ModelFlavor; flavors?: readonly string[] }): string | null {
  if (v.flavor !== 'mlflow') return 'no MLmodel: cannot be served';
  if (v.flavors && !v.flavors.some((f) => SERVED_FLAVORS.includes(f))) return `flavors ${v.flavors.join(', ') || 'none'}: cannot be served`;
  return null;
}

/** A model's versions (newest first, `skip` left out) and aliases as picker choices. */
export function versionChoices(model: { versions: ReadonlyArray<{ version: number; flavor: ModelFlavor }>; aliases: Record<string, number> }, skip: ReadonlySet<number> = new Set()): { versions: VersionChoice[]; aliases: VersionChoice[] } {
  const byVersion = new Map(model.versions.map((v) => [v.version, v]));
  const versions = [...model.versions]
    .filter((v) => !skip.has(v.version))
    .sort((a, b) => b.version - a.version)
    .map((v) => ({ value: String(v.version), unservable: unservableReason(v) }));
  const aliases = Object.entries(model.aliases).map(([alias, version]) => {
    const target = byVersion.get(version);
    return { value: `@${alias}`, unservable: target ? unservableReason(target) : null };
  });
  return { versions, aliases };
}
