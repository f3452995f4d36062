import { describe, expect, it } from 'vitest';
import { tableFromRecords } from '../../../electron/services/monitoring/data/column-table';
import { decodeProfile, encodeProfile } from '../../../electron/services/monitoring/profile/profile-codec';
import { profileTable, type ReferenceProfile } from '../../../electron/services/monitoring/profile/reference-profile';

/** Every float as its bits, so -0, subnormals and the last ulp count. */
function bits(values: ArrayLike<number>): string[] {
  const view = new DataView(new ArrayBuffer(8));
  return Array.from(values, (v) => {
    view.setFloat64(0, v);
    return view.getBigUint64(0).toString(16);
  });
}

function sampleProfile(): ReferenceProfile {
  const awkward = [-0, 5e-324, 0.1 + 0.2, -1.7976931348623157e308, 1 / 3, 2 ** 53 + 2, 1e-300];
  const records = awkward.map((x, i) => ({ x, cat: ['日本', '🚀 launch', 'naïve', '', 'a"b\\c'][i % 5], empty: null, inf: i === 0 ? Infinity : i }));
  return profileTable(tableFromRecords(records));
}

describe('profile codec', () => {
  it('round-trips a profile bit for bit: floats, unicode categories, an empty column, counts and sketches', () => {
    const profile = sampleProfile();
    profile.columns[0]!.sample = {
      kind: 'numeric',
      sorted: { values: Float64Array.from([-1, 0.5, 2]), weights: Float64Array.from([15.2587890625, 30.517578125, 1]), n: 46.7763671875, rankError: 4.1961669921875e-5 },
      distinct: null,
    };
    const decoded = decodeProfile(encodeProfile(profile));
    expect(decoded).toEqual(profile);
    for (const [a, b] of profile.columns.map((c, i) => [c, decoded.columns[i]!] as const)) {
      expect(bits([b.min ?? 0, b.max ?? 0, b.mean ?? 0, b.std ?? 0])).toEqual(bits([a.min ?? 0, a.max ?? 0, a.mean ?? 0, a.std ?? 0]));
      if (a.sample.kind === 'numeric' && b.sample.kind === 'numeric') {
        expect(bits(b.sample.sorted.values)).toEqual(bits(a.sample.sorted.values));
        expect(bits(b.sample.sorted.weights ?? [])).toEqual(bits(a.sample.sorted.weights ?? []));
      }
    }
    const x = profileTable(tableFromRecords([{ x: -0 }, { x: 1 }]));
    expect(Object.is(decodeProfile(encodeProfile(x)).columns[0]!.min, -0)).toBe(true);
  });

  it('keeps a column with no values and a profile with no columns', () => {
    const profile = sampleProfile();
    const empty = profile.columns.find((c) => c.name === 'empty')!;
    expect(empty.total).toBe(7);
    expect(empty.missing).toBe(7);
    expect(decodeProfile(encodeProfile(profile)).columns.find((c) => c.name === 'empty')).toEqual(empty);
    const none: ReferenceProfile = { format: 1, rows: 0, columns: [] };
    expect(decodeProfile(encodeProfile(none))).toEqual(none);
  });

  it('reports garbage and every truncation of a stored profile as damaged, never as a RangeError', () => {
    const bytes = encodeProfile(sampleProfile());
    const attempts: Uint8Array[] = [new Uint8Array(0), Uint8Array.from({ length: 500 }, (_, i) => (i * 97) % 256), new TextEncoder().encode('{"rows": 1}')];
    for (let cut = 0; cut < bytes.length; cut += 7) attempts.push(bytes.slice(0, cut));
    for (let i = 4; i < bytes.length; i += 13) {
      const flipped = bytes.slice();
      flipped[i] = flipped[i]! ^ 0xff;
      attempts.push(flipped);
    }
    let refused = 0;
    for (const attempt of attempts) {
      try {
        decodeProfile(attempt);
      } catch (error) {
        expect((error as Error).message).toMatch(/^The stored reference profile is damaged: /);
        refused++;
      }
    }
    // Every cut and every garbage blob is refused; a flipped bit in a float may still decode.
    expect(refused).toBeGreaterThanOrEqual(3 + Math.ceil(bytes.length / 7));
  });

  it('refuses a profile of another format version by name', () => {
    const bytes = encodeProfile(sampleProfile());
    new DataView(bytes.buffer).setUint32(4, 9, true);
    expect(() => decodeProfile(bytes)).toThrow(/format version 9, this Orrery reads version 1/);
  });
});
