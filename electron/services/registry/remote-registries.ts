import type { RemoteRegistry } from '../../../shared/contract/remotes';
import { REMOTE_NAME } from '../../../shared/contract/remotes';
import { invalid, OrreryError } from '../../../shared/errors';
import { isLoopbackRegistry, parseReference } from './oci/reference';
import type { RemoteRegistryRepository, RemoteRow } from './remote-registry-repository';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

/** Remote OCI registries from settings: a name, a URL and a repository prefix that pushes go under. */
export class RemoteRegistries {
  constructor(
    private readonly repo: RemoteRegistryRepository,
    private readonly now: () => number = Date.now,
  ) {}

  list(): RemoteRegistry[] {
    return this.repo.list().map(toRemote);
  }

  get(name: string): RemoteRegistry {
    const row = this.repo.get(name);
    if (!row) {
      const known = this.repo.list().map((r) => r.name);
      throw new OrreryError('NOT_FOUND', `No remote registry named '${name}'${known.length ? ` (configured: ${known.join(', ')})` : ' (none is configured: add one in Settings)'}`);
    }
    return toRemote(row);
  }

  save(input: { name: string; url: string; repositoryPrefix: string }): RemoteRegistry {
    if (!REMOTE_NAME.test(input.name)) throw invalid(`name: '${input.name}' must be lowercase letters, digits, '_' or '-', starting with a letter or digit`);
    const url = normalizeUrl(input.url);
    const prefix = normalizePrefix(input.repositoryPrefix);
    const now = this.now();
    this.repo.upsert({ name: input.name, url, repository_prefix: prefix, updated_at: now }, now);
    return this.get(input.name);
  }

  delete(name: string): { deleted: string } {
    if (!this.repo.delete(name)) this.get(name);
    return { deleted: name };
  }

  /** The reference a version is pushed to on a remote: `<url>/<prefix>/<model>:<tag>`. */
  referenceFor(remoteName: string, model: string, tag: string): string {
    const remote = this.get(remoteName);
    // Repository components are lowercase in OCI; model names may not be.
    const repository = [remote.repositoryPrefix, model.toLowerCase()].filter((p) => p !== '').join('/');
    const reference = `${remote.url}/${repository}:${tag}`;
    parseReference(reference);
    return reference;
  }
}

function toRemote(row: RemoteRow): RemoteRegistry {
  return {
    name: row.name,
    url: row.url,
    host: new URL(row.url).host,
    repositoryPrefix: row.repository_prefix,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `https://host[:port]` with nothing after it; plain http only for loopback hosts. */
function normalizeUrl(text: string): string {
  const raw = text.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw invalid(`url: '${raw}' is not a URL (like https://ghcr.io or http://localhost:5000)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`url: '${raw}' must start with https:// (or http:// for localhost)`);
  if (url.username || url.password) throw invalid('url: must not carry credentials; Orrery reads them from ~/.docker/config.json (docker login)');
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw invalid(`url: '${raw}' must be only the registry's address; put the repository path in the repository prefix`);
  }
  if (url.protocol === 'http:' && !isLoopbackRegistry(url.host)) {
    throw invalid(`url: plain HTTP is allowed only for localhost, 127.0.0.1 and [::1]; use https://${url.host}`);
  }
  return `${url.protocol}//${url.host}`;
}

function normalizePrefix(text: string): string {
  const prefix = text.trim().replace(/^\/+|\/+$/g, '');
  if (prefix === '') return '';
  for (const component of prefix.split('/')) {
    if (!COMPONENT.test(component)) {
      throw invalid(`repositoryPrefix: '${component}' is not a valid repository path component (lowercase letters, digits, separated by '.', '_', '__' or '-')`);
    }
  }
  return prefix;
}
