import { describe, expect, it } from 'vitest';
import { triggerId } from '../../../../electron/services/pipelines/triggers/trigger-id';

describe('trigger id', () => {
  it('is the same for the same file and spec, whatever the key order, and differs otherwise', () => {
    const a = triggerId('/p/orrery.pipeline.yaml', { kind: 'commit', repo: '/src', branch: 'main' });
    expect(triggerId('/p/orrery.pipeline.yaml', { branch: 'main', repo: '/src', kind: 'commit' } as const)).toBe(a);
    expect(triggerId('/q/orrery.pipeline.yaml', { kind: 'commit', repo: '/src', branch: 'main' })).not.toBe(a);
    expect(triggerId('/p/orrery.pipeline.yaml', { kind: 'commit', repo: '/src', branch: 'dev' })).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});
