import type {
  ApprovalRequest,
  GateResult,
  ModelVersion,
  RegisteredModelSummary,
  RegistryPushResult,
} from '../../shared/contract/registry';
import type { ModelsSubcommand } from './models-command';

/** The short line a person reads after each `orrery models …` command (scripts use --json). */
export function describeResult(subcommand: ModelsSubcommand, result: unknown): string {
  switch (subcommand) {
    case 'register': {
      const v = result as ModelVersion;
      return `Registered ${v.name} version ${v.version} (${versionFacts(v)}, ${gatesText(v)})`;
    }
    case 'approve': {
      const r = result as ApprovalRequest;
      return `Approved ${r.name} version ${r.version} for Production (request ${r.requestId}, reviewer ${r.reviewer ?? '?'})`;
    }
    case 'push': {
      const r = result as RegistryPushResult;
      return `Pushed to ${r.reference} (${r.uploaded} uploaded, ${r.skipped} already there)`;
    }
    case 'pull': {
      const v = result as ModelVersion;
      return `Pulled ${v.lineage.pulledFrom ?? 'the artifact'} as ${v.name} version ${v.version} (${versionFacts(v)}, ${gatesText(v)})`;
    }
    case 'list':
      return listText(result as RegisteredModelSummary[]);
  }
}

/** "3 files, 1.2 MB" with the flavor first. */
function versionFacts(v: ModelVersion): string {
  return `${v.flavor}, ${v.files.length} ${v.files.length === 1 ? 'file' : 'files'}, ${formatSize(v.totalSize)}`;
}

function gatesText(v: ModelVersion): string {
  if (v.gateStatus === 'none') return 'no gates';
  if (v.gateStatus === 'passed') return 'gates passed';
  return `gates failed: ${v.gates.filter((g) => !g.passed).map(failedGate).join('; ')}`;
}

function failedGate(result: GateResult): string {
  const g = result.gate;
  const what = g.kind === 'metric' ? g.metric : g.kind === 'required_file' ? g.path : 'size';
  return `${what} is ${result.actual ?? 'missing'}, needs ${result.expected}`;
}

function listText(models: RegisteredModelSummary[]): string {
  if (models.length === 0) return 'No registered models.';
  const width = Math.max(...models.map((m) => m.name.length));
  return models
    .map((m) => {
      const parts = [`${m.versionCount} ${m.versionCount === 1 ? 'version' : 'versions'}`];
      if (m.latestVersion !== null) parts.push(`latest ${m.latestVersion}`);
      if (m.productionVersion !== null) parts.push(`production ${m.productionVersion}`);
      const aliases = Object.entries(m.aliases).map(([alias, version]) => `${alias}=${version}`);
      if (aliases.length > 0) parts.push(`aliases ${aliases.join(' ')}`);
      return `${m.name.padEnd(width)}  ${parts.join(', ')}`;
    })
    .join('\n');
}

/** Decimal units, one decimal place: "950 B", "4.1 kB", "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
