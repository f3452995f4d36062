import { z } from 'zod';
import { OrreryError } from '../../../../shared/errors';
import type { ColumnSample } from '../stats/samples';
import type { ColumnProfile, ReferenceProfile } from './reference-profile';

/**
 * A reference profile as bytes: "ORPF", a format version, a small JSON header (names, kinds, counts,
 * category names) and then every float array raw, little-endian float64, 8-byte aligned, so a 1 MB
 * sketch costs 1 MB and decoding is a copy. Decoding checks everything the header claims against the
 * bytes, so garbage or a cut blob is reported as a damaged profile, never a RangeError. Pure: no Node.
 *
 * Layout: magic (4) | version u32 | header length u32 | header JSON (UTF-8) | pad to 8 | float64 data.
 */
const MAGIC = [0x4f, 0x52, 0x50, 0x46]; // "ORPF"
const VERSION = 1;
const PREFIX = 12;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;

const ref = z.object({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });
type Ref = z.infer<typeof ref>;
const count = z.number().int().nonnegative();
const sampleHeader = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('numeric'), values: ref, weights: ref.nullable(), n: z.number().nonnegative(), distinctKeys: ref.nullable(), distinctCounts: ref.nullable() }),
  z.object({ kind: z.literal('categorical'), keys: z.array(z.string()), counts: ref, n: count }),
]);
const columnHeader = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  total: count,
  missing: count,
  nonFinite: count,
  typeMismatches: count,
  /** min, max, mean, std, rankError as floats (NaN for null), so -0 and every bit survive. */
  scalars: ref,
  sample: sampleHeader,
});
const header = z.object({ rows: count, dataLength: count, columns: z.array(columnHeader) });
type ColumnHeader = z.infer<typeof columnHeader>;

export function encodeProfile(profile: ReferenceProfile): Uint8Array {
  const arrays: Float64Array[] = [];
  let offset = 0;
  const put = (array: ArrayLike<number>): Ref => {
    const copy = Float64Array.from(array);
    arrays.push(copy);
    const placed = { offset, length: copy.length };
    offset += copy.length;
    return placed;
  };
  const columns = profile.columns.map((column): ColumnHeader => {
    const rankError = column.sample.kind === 'numeric' ? column.sample.sorted.rankError : 0;
    const scalars = put([column.min, column.max, column.mean, column.std, rankError].map((v) => v ?? Number.NaN));
    const { name, kind, total, missing, nonFinite, typeMismatches } = column;
    return { name, kind, total, missing, nonFinite, typeMismatches, scalars, sample: sampleToHeader(column.sample, put) };
  });
  const json = new TextEncoder().encode(JSON.stringify({ rows: profile.rows, dataLength: offset, columns }));
  const dataStart = align8(PREFIX + json.length);
  const bytes = new Uint8Array(dataStart + offset * 8);
  bytes.set(MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, json.length, true);
  bytes.set(json, PREFIX);
  let at = dataStart;
  for (const array of arrays) {
    if (LITTLE_ENDIAN_HOST) bytes.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    else for (let i = 0; i < array.length; i++) view.setFloat64(at + i * 8, array[i]!, true);
    at += array.byteLength;
  }
  return bytes;
}

function sampleToHeader(sample: ColumnSample, put: (a: ArrayLike<number>) => Ref): ColumnHeader['sample'] {
  if (sample.kind === 'categorical') {
    return { kind: 'categorical', keys: [...sample.counts.keys()], counts: put([...sample.counts.values()]), n: sample.n };
  }
  const { values, weights, n } = sample.sorted;
  const distinct = sample.distinct;
  return {
    kind: 'numeric',
    values: put(values),
    weights: weights ? put(weights) : null,
    n,
    distinctKeys: distinct ? put([...distinct.keys()]) : null,
    distinctCounts: distinct ? put([...distinct.values()]) : null,
  };
}

export function decodeProfile(bytes: Uint8Array): ReferenceProfile {
  try {
    return decode(bytes);
  } catch (error) {
    if (error instanceof OrreryError) throw error;
    throw damaged(error instanceof z.ZodError ? 'its header does not describe a profile' : (error as Error).message);
  }
}

function decode(bytes: Uint8Array): ReferenceProfile {
  if (bytes.length < PREFIX || MAGIC.some((b, i) => bytes[i] !== b)) throw damaged('it does not start with the profile marker');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw damaged(`it has format version ${version}, this Orrery reads version ${VERSION}`);
  const jsonLength = view.getUint32(8, true);
  if (PREFIX + jsonLength > bytes.length) throw damaged('it is cut short inside its header');
  const parsed = header.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREFIX, PREFIX + jsonLength))));
  const dataStart = align8(PREFIX + jsonLength);
  if (dataStart + parsed.dataLength * 8 !== bytes.length) throw damaged(`it holds ${bytes.length} bytes where its header describes ${dataStart + parsed.dataLength * 8}`);
  const data = readFloats(bytes, dataStart, parsed.dataLength);
  const take = (r: Ref, what: string): Float64Array => {
    if (r.offset + r.length > data.length) throw damaged(`${what} lies outside the data`);
    return data.subarray(r.offset, r.offset + r.length);
  };
  const columns = parsed.columns.map((column): ColumnProfile => {
    const scalars = take(column.scalars, `column "${column.name}"'s statistics`);
    if (scalars.length !== 5) throw damaged(`column "${column.name}" has ${scalars.length} statistics, not 5`);
    const orNull = (v: number): number | null => (Number.isNaN(v) ? null : v);
    const { name, kind, total, missing, nonFinite, typeMismatches } = column;
    return {
      name,
      kind,
      total,
      missing,
      nonFinite,
      typeMismatches,
      min: orNull(scalars[0]!),
      max: orNull(scalars[1]!),
      mean: orNull(scalars[2]!),
      std: orNull(scalars[3]!),
      sample: sampleFromHeader(column, scalars[4]!, take),
    };
  });
  return { format: 1, rows: parsed.rows, columns };
}

function sampleFromHeader(column: ColumnHeader, rankError: number, take: (r: Ref, what: string) => Float64Array): ColumnSample {
  const s = column.sample;
  const where = `column "${column.name}"`;
  if (s.kind === 'categorical') {
    const counts = take(s.counts, `${where}'s category counts`);
    if (counts.length !== s.keys.length) throw damaged(`${where} has ${s.keys.length} categories but ${counts.length} counts`);
    return { kind: 'categorical', counts: new Map(s.keys.map((key, i) => [key, counts[i]!])), n: s.n };
  }
  const values = take(s.values, `${where}'s values`);
  const weights = s.weights ? take(s.weights, `${where}'s weights`) : null;
  if (weights && weights.length !== values.length) throw damaged(`${where} has ${values.length} values but ${weights.length} weights`);
  for (let i = 1; i < values.length; i++) if (!(values[i - 1]! <= values[i]!)) throw damaged(`${where}'s values are out of order`);
  if (!(rankError >= 0 && rankError <= 1)) throw damaged(`${where}'s error bound is ${rankError}`);
  let distinct: Map<number, number> | null = null;
  if (s.distinctKeys && s.distinctCounts) {
    const keys = take(s.distinctKeys, `${where}'s distinct values`);
    const counts = take(s.distinctCounts, `${where}'s distinct counts`);
    if (keys.length !== counts.length) throw damaged(`${where} has ${keys.length} distinct values but ${counts.length} counts`);
    distinct = new Map(Array.from(keys, (key, i) => [key, counts[i]!]));
  }
  return { kind: 'numeric', sorted: { values, weights, n: s.n, rankError }, distinct };
}

function readFloats(bytes: Uint8Array, start: number, length: number): Float64Array {
  if (LITTLE_ENDIAN_HOST) return new Float64Array(bytes.slice(start, start + length * 8).buffer);
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length * 8);
  return Float64Array.from({ length }, (_, i) => view.getFloat64(i * 8, true));
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

function damaged(reason: string): OrreryError {
  return new OrreryError('INTERNAL', `The stored reference profile is damaged: ${reason}. Set the reference again.`);
}
