import { describe, expect, it } from 'vitest';
import { downstreamOf, findCycle, topologicalOrder, upstreamOf } from '../../../../electron/services/pipelines/definition/pipeline-graph';

// validate → train → evaluate → register → deploy, with a report beside evaluate and a lint stage alone.
const STAGES = [
  { name: 'deploy', needs: ['register'] },
  { name: 'validate', needs: [] },
  { name: 'train', needs: ['validate'] },
  { name: 'evaluate', needs: ['train'] },
  { name: 'report', needs: ['train'] },
  { name: 'register', needs: ['evaluate'] },
  { name: 'lint', needs: [] },
];

describe('pipeline graph', () => {
  it('orders stages after what they need, keeping file order among stages free at the same time', () => {
    expect(topologicalOrder(STAGES)).toEqual(['validate', 'train', 'evaluate', 'report', 'register', 'deploy', 'lint']);
  });

  it('finds no cycle in a DAG, and names one, each stage needing the next', () => {
    expect(findCycle(STAGES)).toBeNull();
    expect(findCycle([...STAGES, { name: 'x', needs: ['y'] }, { name: 'y', needs: ['z'] }, { name: 'z', needs: ['x'] }])).toEqual(['x', 'y', 'z', 'x']);
    expect(findCycle([{ name: 'a', needs: ['a'] }])).toEqual(['a', 'a']);
    expect(() => topologicalOrder([{ name: 'a', needs: ['b'] }, { name: 'b', needs: ['a'] }])).toThrow('a → b → a');
  });

  it('gives what --force-stage re-runs (the stage and all that depend on it) and what a stage waits for', () => {
    expect([...downstreamOf(STAGES, 'train')].sort()).toEqual(['deploy', 'evaluate', 'register', 'report', 'train']);
    expect([...downstreamOf(STAGES, 'lint')]).toEqual(['lint']);
    expect([...upstreamOf(STAGES, 'register')].sort()).toEqual(['evaluate', 'register', 'train', 'validate']);
  });

  it('skips a need naming no stage (the parsers report those)', () => {
    expect(topologicalOrder([{ name: 'a', needs: ['ghost'] }, { name: 'b', needs: ['a'] }])).toEqual(['a', 'b']);
    expect(findCycle([{ name: 'a', needs: ['ghost'] }])).toBeNull();
  });
});
