import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import { EventBus } from '../../../electron/services/events/event-bus';
import { remoteHandlers } from '../../../electron/services/registry/remote-handlers';
import { RemoteRegistries } from '../../../electron/services/registry/remote-registries';
import { RemoteRegistryRepository } from '../../../electron/services/registry/remote-registry-repository';
import { openDatabase } from '../../../electron/services/store/database';
import { refusal } from '../../helpers/refusal';
import { tempDir } from '../../helpers/temp-dir';

let db: Database;
let remotes: RemoteRegistries;
let clock = 1_000;

beforeEach(() => {
  db = openDatabase({ dataDir: tempDir() }).db;
  remotes = new RemoteRegistries(new RemoteRegistryRepository(db), () => ++clock);
});
afterEach(() => db.close());

describe('remote registries in settings', () => {
  it('saves, normalises, lists by name, updates in place and deletes', () => {
    const ghcr = remotes.save({ name: 'ghcr', url: 'ghcr.io/', repositoryPrefix: '/acme/models/' });
    expect(ghcr).toMatchObject({ name: 'ghcr', url: 'https://ghcr.io', host: 'ghcr.io', repositoryPrefix: 'acme/models' });
    remotes.save({ name: 'local', url: 'http://localhost:5000', repositoryPrefix: '' });
    expect(remotes.list().map((r) => r.name)).toEqual(['ghcr', 'local']);

    const changed = remotes.save({ name: 'ghcr', url: 'https://ghcr.io:443', repositoryPrefix: 'acme' });
    expect(changed).toMatchObject({ repositoryPrefix: 'acme', createdAt: ghcr.createdAt });
    expect(changed.updatedAt).toBeGreaterThan(ghcr.updatedAt);

    expect(remotes.delete('ghcr')).toEqual({ deleted: 'ghcr' });
    expect(remotes.list().map((r) => r.name)).toEqual(['local']);
    expect(refusal(() => remotes.delete('ghcr'))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/No remote registry named 'ghcr' \(configured: local\)/) });
  });

  it('announces each save and delete (Settings in another window re-reads), and nothing for a refused one', async () => {
    const bus = new EventBus();
    const seen: unknown[] = [];
    bus.subscribe('remotes.changed', (e) => seen.push(e));
    const handlers = remoteHandlers(remotes, bus);
    await handlers['remotes.save']({ name: 'team', url: 'https://registry.example.com', repositoryPrefix: '' });
    await handlers['remotes.delete']({ name: 'team' });
    expect(() => handlers['remotes.delete']({ name: 'team' })).toThrow(/No remote registry named 'team'/);
    expect(() => handlers['remotes.save']({ name: 'bad', url: 'ftp://x', repositoryPrefix: '' })).toThrow();
    expect(seen).toEqual([
      { name: 'team', change: 'saved' },
      { name: 'team', change: 'deleted' },
    ]);
  });

  it('builds push references under the prefix with a lowercase repository', () => {
    remotes.save({ name: 'team', url: 'https://registry.example.com:8443', repositoryPrefix: 'ml/prod' });
    remotes.save({ name: 'local', url: 'http://127.0.0.1:5000', repositoryPrefix: '' });
    expect(remotes.referenceFor('team', 'Iris_RF', 'v3')).toBe('https://registry.example.com:8443/ml/prod/iris_rf:v3');
    expect(remotes.referenceFor('local', 'iris', 'latest')).toBe('http://127.0.0.1:5000/iris:latest');
    expect(refusal(() => remotes.referenceFor('nope', 'iris', 'v1')).code).toBe('NOT_FOUND');
  });

  it('refuses bad settings by field, storing nothing', () => {
    const cases: Array<[{ name: string; url: string; repositoryPrefix: string }, RegExp]> = [
      [{ name: 'x', url: 'http://registry.example.com', repositoryPrefix: '' }, /^url: plain HTTP is allowed only for localhost.*use https:\/\/registry.example.com/],
      [{ name: 'x', url: 'ftp://host', repositoryPrefix: '' }, /^url: .*must start with https:\/\//],
      [{ name: 'x', url: 'https://user:pw@host', repositoryPrefix: '' }, /^url: must not carry credentials/],
      [{ name: 'x', url: 'https://ghcr.io/acme', repositoryPrefix: '' }, /^url: .*repository prefix/],
      [{ name: 'x', url: 'https://ghcr.io', repositoryPrefix: 'Acme' }, /^repositoryPrefix: 'Acme' is not a valid repository path component/],
      [{ name: 'Team A', url: 'https://ghcr.io', repositoryPrefix: '' }, /^name: /],
    ];
    for (const [input, message] of cases) {
      const error = refusal(() => remotes.save(input));
      expect(error.code).toBe('INVALID_INPUT');
      expect(error.message).toMatch(message);
    }
    expect(remotes.list()).toEqual([]);
  });
});
