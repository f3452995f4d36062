import { describe, expect, it } from 'vitest';
import { refusal } from '../../../helpers/refusal';
import {
  formatReference,
  isLoopbackRegistry,
  manifestReference,
  parseReference,
  registryBaseUrl,
  type ParseReferenceOptions,
} from '../../../../electron/services/registry/oci/reference';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const COMPONENT_RULE = 'is not a valid repository path component (lowercase letters, digits, separators . _ __ -)';

/** The message a refused reference gets. */
function refusedWith(input: string, options?: ParseReferenceOptions): string {
  const error = refusal(() => parseReference(input, options));
  expect(error.code).toBe('INVALID_INPUT');
  return error.message;
}

describe('parseReference: what a reference parses to', () => {
  it.each([
    // Docker Hub: no host means docker.io, and a single name is an official image under library/.
    ['ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', scheme: 'https' }],
    ['ubuntu:22.04', { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04', scheme: 'https' }],
    ['team/model:v2', { registry: 'docker.io', repository: 'team/model', tag: 'v2', scheme: 'https' }],
    ['docker.io/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', scheme: 'https' }],
    ['docker.io/team/model', { registry: 'docker.io', repository: 'team/model', scheme: 'https' }],
    ['https://docker.io/library/ubuntu', { registry: 'docker.io', repository: 'library/ubuntu', scheme: 'https' }],
    // Other hosts: a first component with a '.' or ':' or that is localhost.
    ['ghcr.io/o/m:1.0', { registry: 'ghcr.io', repository: 'o/m', tag: '1.0', scheme: 'https' }],
    ['registry.example.com:5000/a/b/c', { registry: 'registry.example.com:5000', repository: 'a/b/c', scheme: 'https' }],
    ['127.0.0.1:5000/team/model:v1', { registry: '127.0.0.1:5000', repository: 'team/model', tag: 'v1', scheme: 'http' }],
    ['localhost/m', { registry: 'localhost', repository: 'm', scheme: 'http' }],
    ['localhost:5000/my_model/v-1__x.y:latest', { registry: 'localhost:5000', repository: 'my_model/v-1__x.y', tag: 'latest', scheme: 'http' }],
    // Digests, alone or with a tag (the digest is what gets pulled).
    [`localhost/m@${DIGEST}`, { registry: 'localhost', repository: 'm', digest: DIGEST, scheme: 'http' }],
    [`ghcr.io/o/m:1.0@${DIGEST}`, { registry: 'ghcr.io', repository: 'o/m', tag: '1.0', digest: DIGEST, scheme: 'https' }],
    // Surrounding whitespace (a pasted reference) is ignored.
    ['  ubuntu:22.04\n', { registry: 'docker.io', repository: 'library/ubuntu', tag: '22.04', scheme: 'https' }],
    // The scheme is case-insensitive; the host is kept as written.
    ['HTTP://LOCALHOST:5000/m', { registry: 'LOCALHOST:5000', repository: 'm', scheme: 'http' }],
    ['https://localhost:5000/m:1', { registry: 'localhost:5000', repository: 'm', tag: '1', scheme: 'https' }],
  ])('%j', (input, expected) => {
    // toStrictEqual: no `tag` or `digest` key at all when the reference has none.
    expect(parseReference(input)).toStrictEqual(expected);
  });

  it('takes a tag of 128 characters and a repository name of 255', () => {
    const tag = `v${'1'.repeat(127)}`;
    expect(parseReference(`h.com/m:${tag}`).tag).toBe(tag);
    const name = `${'a'.repeat(127)}/${'b'.repeat(127)}`;
    expect(parseReference(`h.com/${name}`).repository).toBe(name);
    // An official image's name counts its library/ prefix.
    expect(parseReference('a'.repeat(247)).repository).toBe(`library/${'a'.repeat(247)}`);
  });
});

describe('parseReference: loopback registries and plain HTTP', () => {
  it.each([
    ['localhost:5000/m', 'http'],
    ['127.0.0.1/m', 'http'],
    ['127.0.0.10:5000/m', 'http'],
    ['127.255.255.254:5000/m', 'http'],
    ['[::1]/m', 'http'],
    ['[::1]:5000/m:t', 'http'],
    ['[2001:db8::1]:5000/m', 'https'],
    // Names that merely contain a loopback address are ordinary DNS names.
    ['127.0.0.1.nip.io/m', 'https'],
    ['evil.127.0.0.1/m', 'https'],
    ['localhost.example.com/m', 'https'],
  ])('%j defaults to %s', (input, scheme) => {
    expect(parseReference(input).scheme).toBe(scheme);
  });

  it.each(['localhost', 'LOCALHOST:5000', '127.0.0.1', '127.1.2.3:80', '[::1]', '[::1]:5000'])('isLoopbackRegistry(%j)', (host) => {
    expect(isLoopbackRegistry(host)).toBe(true);
  });

  it.each(['127.0.0.1.nip.io', 'x127.0.0.1', '127.0.0.1000', '[::2]:5000', 'example.com:5000'])('not isLoopbackRegistry(%j)', (host) => {
    expect(isLoopbackRegistry(host)).toBe(false);
  });

  it('uses plain HTTP to a loopback registry when asked, by http:// or by plainHttp', () => {
    expect(parseReference('localhost:5000/m', { plainHttp: true }).scheme).toBe('http');
    expect(parseReference('http://localhost:5000/m', { plainHttp: true }).scheme).toBe('http');
    expect(parseReference('http://127.0.0.1:5000/m').scheme).toBe('http');
  });

  it.each([
    ['http://registry.example.com/m:1', undefined, 'registry.example.com'],
    ['registry.example.com:5000/m:1', { plainHttp: true }, 'registry.example.com:5000'],
    ['http://127.0.0.1.nip.io/m', undefined, '127.0.0.1.nip.io'],
    ['http://evil.127.0.0.1/m', undefined, 'evil.127.0.0.1'],
    ['ubuntu', { plainHttp: true }, 'docker.io'],
    ['team/model', { plainHttp: true }, 'docker.io'],
  ])('refuses plain HTTP for %j %j', (input, options, registry) => {
    expect(refusedWith(input, options)).toBe(
      `refusing plain HTTP to registry "${registry}": HTTP without TLS is allowed only for localhost, 127.0.0.1 and [::1]; use HTTPS`,
    );
  });

  it('refuses https:// together with plainHttp', () => {
    expect(refusedWith('https://localhost:5000/m', { plainHttp: true })).toBe(
      'invalid OCI reference "https://localhost:5000/m": https:// and plainHttp contradict each other',
    );
  });
});

describe('parseReference: refused references', () => {
  it.each([
    ['', 'it is empty'],
    ['  \t', 'it is empty'],
    // A scheme only makes sense with an explicit registry host.
    ['http://localhost:5000', 'a scheme needs a registry host and a repository'],
    ['https://ubuntu', 'a scheme needs a registry host and a repository'],
    ['https://team/model', 'a scheme needs an explicit registry host'],
    // Only a leading http:// or https:// is a scheme; anything else is read as a (bad) host.
    ['git+https://example.com/m', '"git+https:" is not a valid registry host'],
    ['oci://localhost/m', '"oci:" is not a valid registry host'],
    ['my_registry.com/m', '"my_registry.com" is not a valid registry host'],
    ['-bad.example.com/m', '"-bad.example.com" is not a valid registry host'],
    ['h.com:port/m', '"h.com:port" is not a valid registry host'],
    // Digests: sha256 and 64 lowercase hex digits.
    ['h.com/m@sha256:xyz', '"sha256:xyz" is not a sha256 digest (sha256: and 64 lowercase hex digits)'],
    [`h.com/m@${DIGEST.toUpperCase()}`, `"${DIGEST.toUpperCase()}" is not a sha256 digest (sha256: and 64 lowercase hex digits)`],
    ['h.com/m@', '"" is not a sha256 digest (sha256: and 64 lowercase hex digits)'],
    // Tags: a word character, then up to 127 of [A-Za-z0-9_.-].
    ['h.com/m:bad tag', '"bad tag" is not a valid tag'],
    ['h.com/m:.v1', '".v1" is not a valid tag'],
    [`h.com/m:v${'1'.repeat(128)}`, `"v${'1'.repeat(128)}" is not a valid tag`],
    ['h.com/m:', '"" is not a valid tag'],
    // Repository names.
    ['localhost:5000/', 'the repository name is missing'],
    ['h.com/:t', 'the repository name is missing'],
    ['Host.com/UPPER:1', `"UPPER" ${COMPONENT_RULE}`],
    ['h.com/a//b', `"" ${COMPONENT_RULE}`],
    ['h.com/a/', `"" ${COMPONENT_RULE}`],
    ['h.com/-a', `"-a" ${COMPONENT_RULE}`],
    ['h.com/a___b', `"a___b" ${COMPONENT_RULE}`],
    // Like Docker, a first component without '.' or ':' is part of the repository, not a host.
    ['[ab]/m', `"[ab]" ${COMPONENT_RULE}`],
    ['Team/model', `"Team" ${COMPONENT_RULE}`],
    [`h.com/${'a'.repeat(128)}/${'b'.repeat(127)}`, 'the repository name is longer than 255 characters'],
    ['a'.repeat(248), 'the repository name is longer than 255 characters'],
  ])('%j: %s', (input, why) => {
    expect(refusedWith(input)).toBe(`invalid OCI reference "${input}": ${why}`);
  });
});

describe('formatReference, manifestReference and registryBaseUrl', () => {
  it.each([
    ['ubuntu', 'docker.io/library/ubuntu', 'latest', 'https://registry-1.docker.io'],
    ['team/model:v2', 'docker.io/team/model:v2', 'v2', 'https://registry-1.docker.io'],
    ['127.0.0.1:5000/team/model:v1', '127.0.0.1:5000/team/model:v1', 'v1', 'http://127.0.0.1:5000'],
    [`localhost/m@${DIGEST}`, `localhost/m@${DIGEST}`, DIGEST, 'http://localhost'],
    [`https://ghcr.io/o/m:1.0@${DIGEST}`, `ghcr.io/o/m:1.0@${DIGEST}`, DIGEST, 'https://ghcr.io'],
    ['[::1]:5000/m', '[::1]:5000/m', 'latest', 'http://[::1]:5000'],
  ])('%j is %j, pulls %j from %j', (input, formatted, manifest, baseUrl) => {
    const ref = parseReference(input);
    expect(formatReference(ref)).toBe(formatted);
    expect(manifestReference(ref)).toBe(manifest);
    expect(registryBaseUrl(ref)).toBe(baseUrl);
  });

  it('formats back to a reference that parses to the same thing', () => {
    for (const input of ['ubuntu', 'team/model:v2', `localhost:5000/a/b:c@${DIGEST}`, 'ghcr.io/o/m']) {
      const ref = parseReference(input);
      expect(parseReference(formatReference(ref))).toStrictEqual(ref);
    }
  });
});
