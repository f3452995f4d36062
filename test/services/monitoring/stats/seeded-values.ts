/** x/count for x = 0 … count−1, plus `shift`: evenly spread values (np.arange(count)/count + shift). */
export function grid(count: number, shift = 0): number[] {
  return Array.from({ length: count }, (_, i) => i / count + shift);
}

/** A small seeded generator (LCG) of values in [shift, shift + 1), for the property checks. */
export function uniforms(seed: number, n: number, shift = 0): Float64Array {
  let state = seed >>> 0;
  return Float64Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296 + shift;
  });
}
