import { describe, expect, it } from 'vitest';
import {
  chiSquareSf,
  erfc,
  lnGamma,
  normalCdf,
  normalSf,
  regularizedGammaP,
  regularizedGammaQ,
} from '../../../../electron/services/monitoring/stats/special-functions';

/** |actual − expected| within `relative` of |expected|: the tails need relative, not absolute, checks. */
function expectRelative(actual: number, expected: number, relative = 1e-13): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(relative * Math.abs(expected));
}

describe('special functions equal scipy 1.10.1', () => {
  it('lnGamma', () => {
    expectRelative(lnGamma(0.1), 2.252712651734206); // scipy.special.gammaln(0.1)
    expectRelative(lnGamma(0.5), 0.5723649429247); // scipy.special.gammaln(0.5)
    expectRelative(lnGamma(4.5), 2.4537365708424423); // scipy.special.gammaln(4.5)
    expectRelative(lnGamma(1000), 5905.220423209181); // scipy.special.gammaln(1000.0)
    expect(Math.abs(lnGamma(1))).toBeLessThan(1e-15);
    expect(Math.abs(lnGamma(2))).toBeLessThan(1e-15);
    expectRelative(lnGamma(6), Math.log(120));
  });

  it('regularized incomplete gamma functions, on both sides of x = a + 1', () => {
    expectRelative(regularizedGammaQ(2.5, 1), 0.8491450360846096); // scipy.special.gammaincc(2.5, 1.0)
    expectRelative(regularizedGammaQ(2.5, 10), 0.0012497305630313773); // scipy.special.gammaincc(2.5, 10.0)
    expectRelative(regularizedGammaP(2.5, 1), 0.15085496391539038); // scipy.special.gammainc(2.5, 1.0)
    expectRelative(regularizedGammaP(0.5, 0.01), 0.11246291601828491); // scipy.special.gammainc(0.5, 0.01)
    for (const [a, x] of [[0.5, 0.2], [3, 1], [3, 7], [40, 38], [40, 45]] as const) {
      expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 14);
    }
    expect(regularizedGammaP(2, 0)).toBe(0);
    expect(regularizedGammaQ(2, 0)).toBe(1);
    expect(regularizedGammaP(2, Infinity)).toBe(1);
    expect(regularizedGammaQ(2, Infinity)).toBe(0);
  });

  it('chi-square survival function, far into the tail', () => {
    expectRelative(chiSquareSf(3.84, 1), 0.05004352124870519); // scipy.stats.chi2.sf(3.84, 1)
    expectRelative(chiSquareSf(0.5, 4), 0.9735009788392561); // scipy.stats.chi2.sf(0.5, 4)
    expectRelative(chiSquareSf(300, 10), 1.5546747543803087e-58); // scipy.stats.chi2.sf(300, 10)
    expectRelative(chiSquareSf(1500, 1000), 1.0454640385980825e-22, 1e-11); // scipy.stats.chi2.sf(1500, 1000)
    expect(chiSquareSf(0, 3)).toBe(1);
    expect(chiSquareSf(-2, 3)).toBe(1);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
  });

  it('normal tail and erfc', () => {
    expectRelative(normalSf(1.96), 0.024997895148220435); // scipy.stats.norm.sf(1.96)
    expectRelative(normalSf(8), 6.22096057427174e-16, 1e-13); // scipy.stats.norm.sf(8)
    expectRelative(normalSf(30), 4.906713927147908e-198, 1e-12); // scipy.stats.norm.sf(30)
    expectRelative(normalSf(-1), 0.8413447460685429); // scipy.stats.norm.sf(-1)
    expect(normalSf(0)).toBe(0.5);
    expectRelative(normalCdf(-1.96), 0.024997895148220435);
    expectRelative(erfc(0.5), 0.4795001221869535); // scipy.special.erfc(0.5)
    expectRelative(erfc(5), 1.5374597944280347e-12); // scipy.special.erfc(5)
    expectRelative(erfc(-1), 1.8427007929497148); // scipy.special.erfc(-1)
    expect(erfc(0)).toBe(1);
  });

  it('bad arguments get an error naming the argument', () => {
    expect(() => lnGamma(0)).toThrow(/lnGamma: x must be a finite positive number, got 0/);
    expect(() => lnGamma(Infinity)).toThrow(/lnGamma: x/);
    expect(() => regularizedGammaQ(-1, 1)).toThrow(/regularizedGammaQ: a must be/);
    expect(() => regularizedGammaQ(Infinity, 1)).toThrow(/regularizedGammaQ: a must be/);
    expect(() => regularizedGammaP(1, -1)).toThrow(/regularizedGammaP: x must be >= 0, got -1/);
    expect(() => regularizedGammaP(1, NaN)).toThrow(/regularizedGammaP: x must be >= 0/);
    expect(() => chiSquareSf(1, 0)).toThrow(/chiSquareSf: df must be/);
    expect(() => chiSquareSf(1, Infinity)).toThrow(/chiSquareSf: df must be/);
    expect(() => chiSquareSf(NaN, 2)).toThrow(/chiSquareSf: x must be a number/);
    expect(() => normalSf(NaN)).toThrow(/normalSf: z must be a number/);
    expect(() => erfc(NaN)).toThrow(/erfc: x must be a number/);
  });
});
