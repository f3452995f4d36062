import { OrreryError } from '../../../../shared/errors';

/** A parsed image/artifact reference: `[scheme://]host[:port]/repo/name[:tag][@sha256:…]`. */
export interface OciReference {
  /** The host (and port) as written, e.g. `127.0.0.1:5000`; `docker.io` for the default registry. */
  registry: string;
  /** The repository path, e.g. `team/model`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** `http` only for loopback hosts. */
  scheme: 'http' | 'https';
}

export interface ParseReferenceOptions {
  /** Ask for plain HTTP; refused unless the host is loopback (localhost, 127.0.0.1, [::1]). */
  plainHttp?: boolean;
}

export const DEFAULT_REGISTRY = 'docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::[0-9]{1,5})?$/;

/** The host without its port (IPv6 brackets kept). */
export function hostName(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(0, registry.indexOf(']') + 1);
  const colon = registry.lastIndexOf(':');
  return colon === -1 ? registry : registry.slice(0, colon);
}

/** True for the hosts where plain HTTP is allowed: localhost, 127.0.0.1 (any 127/8) and [::1]. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = hostName(registry).toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(?:\.[0-9]{1,3}){3}$/.test(host);
}

function invalid(ref: string, why: string): OrreryError {
  return new OrreryError('INVALID_INPUT', `invalid OCI reference "${ref}": ${why}`);
}

/** Parse a reference. Loopback registries default to plain HTTP, every other host to HTTPS. */
export function parseReference(input: string, options: ParseReferenceOptions = {}): OciReference {
  let rest = input.trim();
  if (rest === '') throw invalid(input, 'it is empty');
  let scheme: 'http' | 'https' | undefined;
  const schemeMatch = /^(https?):\/\//i.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!.toLowerCase() as 'http' | 'https';
    rest = rest.slice(schemeMatch[0].length);
  }
  if (options.plainHttp) {
    if (scheme === 'https') throw invalid(input, 'https:// and plainHttp contradict each other');
    scheme = 'http';
  }

  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, `"${digest}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`);
  }

  const slash = rest.indexOf('/');
  let registry = DEFAULT_REGISTRY;
  let path = rest;
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    // Docker's rule (distribution/reference splitDockerDomain): a host has a '.' or a ':' (IPv6 always has one) or is localhost.
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      path = rest.slice(slash + 1);
    }
  } else if (schemeMatch) {
    throw invalid(input, 'a scheme needs a registry host and a repository');
  }
  if (schemeMatch && registry === DEFAULT_REGISTRY && !rest.startsWith(`${DEFAULT_REGISTRY}/`)) {
    throw invalid(input, 'a scheme needs an explicit registry host');
  }

  let tag: string | undefined;
  const lastSlash = path.lastIndexOf('/');
  const colon = path.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `"${tag}" is not a valid tag`);
  }

  if (!HOST.test(registry)) throw invalid(input, `"${registry}" is not a valid registry host`);
  if (path === '') throw invalid(input, 'the repository name is missing');
  const components = path.split('/');
  for (const c of components) {
    if (!COMPONENT.test(c)) throw invalid(input, `"${c}" is not a valid repository path component (lowercase letters, digits, separators . _ __ -)`);
  }
  if (registry === DEFAULT_REGISTRY && components.length === 1) path = `library/${path}`;
  if (path.length > 255) throw invalid(input, 'the repository name is longer than 255 characters');

  const loopback = isLoopbackRegistry(registry);
  if (scheme === 'http' && !loopback) {
    throw new OrreryError(
      'INVALID_INPUT',
      `refusing plain HTTP to registry "${registry}": HTTP without TLS is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS`,
    );
  }
  const result: OciReference = { registry, repository: path, scheme: scheme ?? (loopback ? 'http' : 'https') };
  if (tag !== undefined) result.tag = tag;
  if (digest !== undefined) result.digest = digest;
  return result;
}

/** The tag or digest the manifest is addressed by (`latest` when neither was given). */
export function manifestReference(ref: OciReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/** `host/repo:tag@digest` (no scheme). */
export function formatReference(ref: OciReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The API base URL, e.g. `http://127.0.0.1:5000`; Docker Hub maps to registry-1.docker.io. */
export function registryBaseUrl(ref: Pick<OciReference, 'registry' | 'scheme'>): string {
  const host = ref.registry === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : ref.registry;
  return `${ref.scheme}://${host}`;
}
