import { describe, expect, it } from 'vitest';
import { contract, isMethodName, methodAliases, resolveMethodName } from '../../shared/contract/index';

/** docs/ARCHITECTURE.md, "Method names": the verb comes first. */
const CRUD = ['list', 'get', 'create', 'update', 'delete'];
const ACTIONS = ['submit', 'cancel', 'retry', 'push', 'pull', 'register', 'approve', 'review', 'request', 'rename', 'restore', 'set', 'search', 'query', 'compare', 'read', 'save', 'promote', 'rollback', 'pause', 'resume', 'abort', 'scale', 'start', 'stop', 'invoke', 'acknowledge', 'silence', 'check', 'record', 'import', 'export'];
const NAME = new RegExp(`^[a-z]+\\.(?:${[...CRUD, ...ACTIONS].join('|')})(?:[A-Z][A-Za-z]*)?$`);

describe('method names follow one verb convention', () => {
  it('every method is <area>.<verb><Object>', () => {
    const offenders = Object.keys(contract).filter((name) => !NAME.test(name));
    expect(offenders).toEqual([]);
  });

  it('the convention refuses a name without a verb', () => {
    for (const bad of ['training.jobs', 'tracking.history', 'app.info', 'registry.versionsOf']) expect(NAME.test(bad)).toBe(false);
  });

  it('names from before the convention still answer, as the method they became', () => {
    for (const [old, current] of Object.entries(methodAliases)) {
      expect(isMethodName(old)).toBe(false);
      expect(isMethodName(current)).toBe(true);
      expect(resolveMethodName(old)).toBe(current);
    }
    expect(resolveMethodName('training.listJobs')).toBe('training.listJobs');
    expect(resolveMethodName('training.nope')).toBe('training.nope');
  });
});
