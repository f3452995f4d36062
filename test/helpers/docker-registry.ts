import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real OCI registry for tests: Debian's `docker-registry` package (distribution 2.8), started on
 * a free 127.0.0.1 port with a temp storage folder. CI installs it with
 * `DEBIAN_FRONTEND=noninteractive apt-get install -y docker-registry skopeo` (no service is enabled).
 *
 * Basic auth needs bcrypt htpasswd entries. Rather than depend on `htpasswd -B` (apache2-utils),
 * the test user's bcrypt hash is fixed below; it was made with `htpasswd -nbB orrery orrery-pass-1`.
 */
export const REGISTRY_BIN = process.env.ORRERY_DOCKER_REGISTRY ?? '/usr/bin/docker-registry';
export const BASIC_USER = 'orrery';
export const BASIC_PASSWORD = 'orrery-pass-1';
const BASIC_BCRYPT = '$2y$05$mecm06CT.7HeO/3R7SPBeuYPz7BloHnTLbHzosTha9GZLwHgWuV62';

/** True when the registry binary exists; otherwise a loud skip, or a failure under ORRERY_REQUIRE_DOCKER=1. */
export function dockerRegistryAvailable(): boolean {
  if (fs.existsSync(REGISTRY_BIN)) return true;
  const reason = `${REGISTRY_BIN} is missing (apt-get install -y docker-registry)`;
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`ORRERY_REQUIRE_DOCKER=1 but the OCI registry is unavailable: ${reason}`);
  console.warn(`\n*** SKIPPING OCI registry tests: ${reason}. Set ORRERY_REQUIRE_DOCKER=1 to make this a failure. ***\n`);
  return false;
}

/**
 * skopeo, the registry's independent reader; null (after a loud warning) when it is missing,
 * and a failure under ORRERY_REQUIRE_DOCKER=1, so CI never passes a check it did not make.
 */
export function skopeoPath(): string | null {
  for (const p of ['/usr/bin/skopeo', '/usr/local/bin/skopeo']) if (fs.existsSync(p)) return p;
  const reason = 'skopeo is missing (apt-get install -y skopeo)';
  if (process.env.ORRERY_REQUIRE_DOCKER === '1') throw new Error(`ORRERY_REQUIRE_DOCKER=1 but ${reason}`);
  console.warn(`\n*** SKIPPING a skopeo check: ${reason}. Set ORRERY_REQUIRE_DOCKER=1 to make this a failure. ***\n`);
  return null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface TokenAuth {
  realm: string;
  service: string;
  issuer: string;
  certPath: string;
}

export interface RegistryOptions {
  auth?: { kind: 'htpasswd' } | { kind: 'token'; token: TokenAuth };
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  host: string;
  url: string;
  port: number;
  storageDir: string;
  /** The registry's file for a blob: <root>/docker/registry/v2/blobs/sha256/<xx>/<hex>/data */
  blobDataPath(digest: string): string;
  stop(): Promise<void>;
}

async function waitForRegistry(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${log()}`);
    try {
      const res = await fetch(`${url}/v2/`);
      await res.body?.cancel();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer at ${url}: ${log()}`);
}

export async function startDockerRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-registry-'));
  const storageDir = path.join(dir, 'storage');
  fs.mkdirSync(storageDir);
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
  ];
  if (options.auth?.kind === 'htpasswd') {
    const htpasswd = path.join(dir, 'htpasswd');
    fs.writeFileSync(htpasswd, `${BASIC_USER}:${BASIC_BCRYPT}\n`);
    lines.push('auth:', '  htpasswd:', '    realm: orrery-test', `    path: ${htpasswd}`);
  } else if (options.auth?.kind === 'token') {
    const t = options.auth.token;
    lines.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certPath}`);
  }
  const configPath = path.join(dir, 'config.yml');
  fs.writeFileSync(configPath, `${lines.join('\n')}\n`);
  const child = spawn(REGISTRY_BIN, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForRegistry(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    port,
    storageDir,
    blobDataPath: (digest) => {
      const hex = digest.replace(/^sha256:/, '');
      return path.join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TokenServer {
  auth: TokenAuth;
  /** Scopes asked for, in order (for assertions). */
  requests: string[];
  stop(): Promise<void>;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * A Docker token server (docs.docker.com registry token spec) on node:http: checks Basic
 * credentials, grants the requested scopes as RS256 JWTs whose `x5c` header carries a self-signed
 * certificate made with `openssl req -x509`; the registry trusts that certificate as its root bundle.
 */
export async function startTokenServer(user: string, password: string): Promise<TokenServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-token-'));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=orrery-test-issuer'], { stdio: 'ignore' });
  const key = fs.readFileSync(keyPath, 'utf8');
  const certDer = new X509Certificate(fs.readFileSync(certPath)).raw;
  const service = 'test-registry';
  const issuer = 'test-issuer';
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const authz = req.headers.authorization ?? '';
    const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    if (u.pathname !== '/token' || authz !== expected) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'token server: bad credentials' }] }));
      return;
    }
    const scopes = u.searchParams.getAll('scope');
    requests.push(...scopes);
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: (actions ?? '').split(',').filter(Boolean) };
    });
    const now = Math.floor(Date.now() / 1000);
    const headerJ = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: user, aud: u.searchParams.get('service') ?? service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signingInput = `${b64url(JSON.stringify(headerJ))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key);
    const token = `${signingInput}.${b64url(signature)}`;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    auth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, certPath },
    requests,
    stop: async () => {
      await new Promise((r) => server.close(r));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
