import { describe, expect, it } from 'vitest';
import type { HardwareSample } from '../../shared/contract/index';
import { appendSample, emptyHistory, padSeries, pushCapped } from '../../renderer/src/lib/sample-history';

function sample(at: number, cpuPercent: number, gpus: HardwareSample['gpus'] = []): HardwareSample {
  return { at, cpuPercent, memoryUsedBytes: 25, memoryTotalBytes: 100, gpus };
}

function gpu(index: number, utilizationPercent: number | null) {
  return { index, utilizationPercent, memoryUsedMb: 1, memoryTotalMb: 2, temperatureC: 40, powerDrawW: 50 };
}

describe('pushCapped', () => {
  it('keeps the newest values up to capacity without touching the input', () => {
    const input = [1, 2, 3];
    expect(pushCapped(input, 4, 3)).toEqual([2, 3, 4]);
    expect(pushCapped(input, 4, 5)).toEqual([1, 2, 3, 4]);
    expect(input).toEqual([1, 2, 3]);
  });
});

describe('appendSample', () => {
  it('keeps the last 60 samples by default', () => {
    let history = emptyHistory();
    for (let i = 1; i <= 75; i++) history = appendSample(history, sample(i, i));
    expect(history.cpu).toHaveLength(60);
    expect(history.cpu[0]).toBe(16);
    expect(history.cpu[59]).toBe(75);
    expect(history.memory[59]).toBe(25);
  });

  it('ignores samples not newer than the last one', () => {
    const once = appendSample(emptyHistory(), sample(10, 1));
    expect(appendSample(once, sample(10, 2))).toBe(once);
    expect(appendSample(once, sample(9, 2))).toBe(once);
  });

  it('tracks each GPU, null when MIG hides utilisation or the GPU is missing from a sample', () => {
    let history = emptyHistory(4);
    history = appendSample(history, sample(1, 0, [gpu(0, 10)]));
    history = appendSample(history, sample(2, 0, [gpu(0, null), gpu(1, 50)]));
    history = appendSample(history, sample(3, 0, [gpu(1, 60)]));
    expect(history.gpus[0]).toEqual([10, null, null]);
    // A GPU that appears later is back-filled so every series lines up.
    expect(history.gpus[1]).toEqual([null, 50, 60]);
    expect(history.cpu).toHaveLength(3);
  });

  it('clamps CPU percent into 0..100', () => {
    const history = appendSample(emptyHistory(), sample(1, 140));
    expect(history.cpu).toEqual([100]);
  });
});

describe('padSeries', () => {
  it('left-pads with nulls and trims to capacity', () => {
    expect(padSeries([1, 2], 4)).toEqual([null, null, 1, 2]);
    expect(padSeries([1, 2, 3, 4, 5], 3)).toEqual([3, 4, 5]);
  });
});
