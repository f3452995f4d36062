/**
 * The work the monitoring worker does: reading files, building reference profiles, checking windows
 * and comparing files. It is plain code so the same runs inline (the command line, unit tests).
 */
import type { ColumnKindName } from '../../../../shared/contract/monitoring';
import { invalid } from '../../../../shared/errors';
import { tableFromRecords } from '../data/column-table';
import { readTableChunks, readTableFile, DEFAULT_CHUNK_ROWS } from '../data/table-file';
import { checkDrift } from '../drift-check';
import { loggedWindowRows } from '../logged-window';
import { performanceOf } from '../performance-metrics';
import { decodeProfile, encodeProfile } from '../profile/profile-codec';
import { ProfileBuilder, type ReferenceProfile } from '../profile/reference-profile';
import type { ComputeRequest, ComputeResults, ProfileResult, ReferenceSummaryData } from './compute-protocol';
import { splitCheck, type ColumnPeer } from './column-split';
import { TableRequests } from './table-requests';
import { tableFromTyped } from './typed-table';

const CACHED_PROFILES = 8;

export class ComputeHandler {
  /** Decoded profiles by key (deployment and reference time): a window check reads only its window. */
  private readonly profiles = new Map<string, ReferenceProfile>();
  private readonly tables: TableRequests;

  /** `peer`: a second thread for half the columns of a large table check (the worker has one). */
  constructor(private readonly peer: ColumnPeer | null = null) {
    this.tables = new TableRequests(peer);
  }

  async handle<R extends ComputeRequest>(request: R): Promise<ComputeResults[R['type']]> {
    return (await this.dispatch(request)) as ComputeResults[R['type']];
  }

  private async dispatch(request: ComputeRequest): Promise<unknown> {
    switch (request.type) {
      case 'profile-file':
        return this.profileFile(request.file, request.kinds);
      case 'profile-logged': {
        const rows = loggedWindowRows(request.requests, request.predictionColumn);
        if (rows.records.length === 0) throw invalid('source: the logged requests hold no readable input rows to build a reference from');
        const builder = new ProfileBuilder(kindMap(request.kinds));
        builder.add(tableFromRecords(rows.records, kindMap(request.kinds)));
        return profileResult(builder.finish());
      }
      case 'check-logged': {
        const profile = this.profileFor(request.profileKey, request.profile);
        const rows = loggedWindowRows(request.requests, request.settings.predictionColumn);
        const parsed = tableFromRecords(rows.records, kindsOf(profile));
        // A reference without the model's answers (a training file) tests inputs only: the
        // prediction column is then not "an extra column".
        const predictionKnown = profile.columns.some((c) => c.name === request.settings.predictionColumn);
        const table = predictionKnown ? parsed : { ...parsed, columns: parsed.columns.filter((c) => c.name !== request.settings.predictionColumn) };
        const { report, distributions } = checkDrift(profile, table, { ...request.settings, roles: { [request.settings.predictionColumn]: 'prediction' } });
        return { report, distributions, performance: performanceFor(rows, request.labels, request.settings.predictionColumn), rows: rows.records.length, unseen: rows.unseen };
      }
      case 'read-labels':
        return readLabels(request.file, request.idColumn, request.labelColumn);
      case 'performance':
        return performanceFor(loggedWindowRows(request.requests, request.predictionColumn), request.labels, request.predictionColumn);
      case 'compare-files': {
        const reference = await this.profileOfFile(request.reference, request.kinds);
        const current = await readTableFile(request.current, { kinds: new Map([...kindsOf(reference), ...kindMap(request.kinds)]) });
        if (request.target !== null && !reference.columns.some((c) => c.name === request.target)) {
          throw invalid(`target: column '${request.target}' is not in ${request.reference}`);
        }
        // A large comparison's columns are split with the peer thread (same report, both cores).
        return splitCheck(reference, current, {
          driftShare: request.driftShare,
          minRows: request.minRows,
          methods: request.methods,
          ...(request.target !== null ? { roles: { [request.target]: 'target' as const } } : {}),
        }, this.peer);
      }
      case 'check-table':
        return this.tables.check(this.profileFor(request.profileKey, request.profile), request.table, request.settings);
      case 'check-part':
        return checkDrift(request.profile, tableFromTyped(request.table), request.options);
      case 'profile-chunk': {
        const profile = await this.tables.addChunk(request.stream, request.table, request.kinds, request.finish);
        return profile === null ? null : profileResult(profile);
      }
    }
  }

  private async profileFile(file: string, kinds: Record<string, ColumnKindName>): Promise<ProfileResult> {
    return profileResult(await this.profileOfFile(file, kinds));
  }

  private async profileOfFile(file: string, kinds: Record<string, ColumnKindName>): Promise<ReferenceProfile> {
    const builder = new ProfileBuilder(kindMap(kinds));
    for await (const chunk of readTableChunks(file, { kinds: kindMap(kinds), chunkRows: DEFAULT_CHUNK_ROWS })) builder.add(chunk);
    const profile = builder.finish();
    for (const name of Object.keys(kinds)) {
      if (!profile.columns.some((c) => c.name === name)) throw invalid(`columnKinds: column '${name}' is not in ${file}`);
    }
    return profile;
  }

  private profileFor(key: string, bytes: Uint8Array | null): ReferenceProfile {
    const cached = this.profiles.get(key);
    if (cached) return cached;
    if (!bytes) throw new Error(`profile ${key} is not cached here and was not sent`);
    const profile = decodeProfile(bytes);
    if (this.profiles.size >= CACHED_PROFILES) this.profiles.delete(this.profiles.keys().next().value as string);
    this.profiles.set(key, profile);
    return profile;
  }

  /** Whether the worker holds this profile already (so the main thread need not send it). */
  hasProfile(key: string): boolean {
    return this.profiles.has(key);
  }
}

/** Ground truth from a file: one label per id; a missing id or label is skipped. */
async function readLabels(file: string, idColumn: string, labelColumn: string): Promise<Array<[string, unknown]>> {
  const table = await readTableFile(file, { kinds: new Map([[idColumn, 'categorical']]) });
  const ids = table.columns.find((c) => c.name === idColumn);
  const labels = table.columns.find((c) => c.name === labelColumn);
  const names = table.columns.map((c) => c.name).join(', ');
  if (!ids) throw invalid(`idColumn: ${file} has no column '${idColumn}' (its columns: ${names})`);
  if (!labels) throw invalid(`labelColumn: ${file} has no column '${labelColumn}' (its columns: ${names})`);
  const out: Array<[string, unknown]> = [];
  for (let i = 0; i < table.rows; i++) {
    const id = ids.strings![i];
    const label = labels.kind === 'numeric' ? labels.numbers![i]! : labels.strings![i];
    if (id === null || id === undefined || label === null || (typeof label === 'number' && !Number.isFinite(label))) continue;
    out.push([id, label]);
  }
  if (out.length === 0) throw invalid(`file: ${file} holds no row with both an id and a label`);
  return out;
}

function kindMap(kinds: Record<string, ColumnKindName>): Map<string, ColumnKindName> {
  return new Map(Object.entries(kinds));
}

function kindsOf(profile: ReferenceProfile): Map<string, ColumnKindName> {
  return new Map(profile.columns.map((c) => [c.name, c.kind]));
}

function performanceFor(rows: ReturnType<typeof loggedWindowRows>, labels: Array<[string, unknown]>, predictionColumn: string) {
  if (labels.length === 0) return null;
  const byRequest = new Map(labels);
  const pairs: Array<{ prediction: unknown; label: unknown }> = [];
  rows.requestIds.forEach((requestId, i) => {
    if (!byRequest.has(requestId)) return;
    const label = byRequest.get(requestId);
    // A request of several rows takes a list of labels, one per row.
    const own = Array.isArray(label) ? label[rows.rowInRequest[i]!] : rows.rowInRequest[i] === 0 ? label : undefined;
    if (own !== undefined) pairs.push({ prediction: rows.predictions[i], label: own });
  });
  return performanceOf(pairs, predictionColumn);
}

function profileResult(profile: ReferenceProfile): ProfileResult {
  return { profile: encodeProfile(profile), summary: summaryOf(profile) };
}

export function summaryOf(profile: ReferenceProfile): ReferenceSummaryData {
  return {
    rows: profile.rows,
    form: profile.columns.some((c) => c.sample.kind === 'numeric' && c.sample.sorted.weights !== null) ? 'sketched' : 'exact',
    columns: profile.columns.map((c) => ({
      name: c.name,
      kind: c.kind,
      missingShare: c.total ? c.missing / c.total : 0,
      min: c.min,
      max: c.max,
      mean: c.mean,
      std: c.std,
      categories: c.sample.kind === 'categorical' ? c.sample.counts.size : null,
    })),
  };
}
