/**
 * The modified Bessel function of the second kind K_ν(x) for real ν and x > 0, which the
 * Cramér-von Mises limiting distribution needs (K_{1/4}). From K_ν(x) = ∫₀^∞ e^{−x cosh t} cosh(νt) dt
 * by the trapezoidal rule: the integrand is analytic in a strip around the real axis and decays
 * double-exponentially, so the rule converges geometrically and a step small next to the
 * integrand's width (1/√x for large x) gives ~1e-15 relative accuracy. Pure: no Node.
 */

/** e^x · K_ν(x): finite where K_ν itself underflows (large x). */
export function besselKScaled(nu: number, x: number): number {
  if (!(x > 0) || !Number.isFinite(nu)) {
    if (x === 0) return Number.POSITIVE_INFINITY;
    return Number.NaN;
  }
  if (x === Number.POSITIVE_INFINITY) return 0;
  const order = Math.abs(nu); // K_{−ν} = K_ν
  const step = Math.min(0.1, 0.5 / Math.sqrt(x));
  // f(t) = exp(−x (cosh t − 1)) cosh(νt); f(0) = 1 and f is even, so the sum is h·(f(0)/2 + Σ f(kh)).
  let sum = 0.5;
  for (let k = 1; ; k++) {
    const t = k * step;
    const exponent = -x * (Math.cosh(t) - 1);
    // cosh(νt) = (e^{νt} + e^{−νt})/2, folded into the exponent so neither overflows.
    const term = 0.5 * (Math.exp(exponent + order * t) + Math.exp(exponent - order * t));
    sum += term;
    const pastPeak = x * Math.sinh(t) > order;
    // Finite x > 0 always gets here: the exponent falls like −x·e^t/2 until exp gives 0.
    if (pastPeak && term < sum * 1e-18) break;
  }
  return sum * step;
}

/** K_ν(x); 0 where it underflows, +Infinity at x = 0, NaN for x < 0. */
export function besselK(nu: number, x: number): number {
  const scaled = besselKScaled(nu, x);
  if (!Number.isFinite(scaled) || scaled === 0) return scaled;
  // Split e^{−x} in two so that the product underflows only when K_ν itself does.
  return scaled * Math.exp(-x / 2) * Math.exp(-x / 2);
}
