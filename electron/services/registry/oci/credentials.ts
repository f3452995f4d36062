import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OrreryError } from '../../../../shared/errors';

/** What the client may use to authenticate to one registry host. Never log these. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (Docker's `identitytoken`), exchanged at the token realm. */
  identityToken?: string;
}

/** Looks up credentials for a registry host (`host[:port]`); null when none are known. */
export type CredentialsProvider = (registry: string) => Promise<RegistryCredentials | null>;

export const noCredentials: CredentialsProvider = () => Promise.resolve(null);

/** A fixed map, host → credentials (tests, or credentials the user typed in). */
export function staticCredentials(map: Record<string, RegistryCredentials>): CredentialsProvider {
  return (registry) => Promise.resolve(map[registry] ?? null);
}

export interface DockerConfigOptions {
  /** The config.json to read; default `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
  configPath?: string;
  /** Environment for DOCKER_CONFIG and for running credential helpers (PATH); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Kill a credential helper that has not answered after this long; default 10 s. */
  helperTimeoutMs?: number;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

const DOCKER_HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** `https://host:port/v1/` → `host:port`. */
export function normalizeRegistryKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash !== -1) k = k.slice(0, slash);
  return k.toLowerCase();
}

function keysFor(registry: string): string[] {
  const r = registry.toLowerCase();
  return DOCKER_HUB_KEYS.includes(r) ? DOCKER_HUB_KEYS : [r];
}

function configPathFrom(options: DockerConfigOptions): string {
  if (options.configPath) return options.configPath;
  const env = options.env ?? process.env;
  const dir = env.DOCKER_CONFIG ? env.DOCKER_CONFIG : path.join(os.homedir(), '.docker');
  return path.join(dir, 'config.json');
}

async function readConfig(file: string): Promise<DockerConfigFile | null> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OrreryError('INTERNAL', `cannot read Docker config ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object') throw new Error('not an object');
    return parsed as DockerConfigFile;
  } catch (error) {
    throw new OrreryError('INVALID_INPUT', `Docker config ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

function decodeAuth(auth: string, where: string): { username: string; password: string } {
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) throw new OrreryError('INVALID_INPUT', `the "auth" entry for ${where} in the Docker config is not base64 of user:password`);
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Run `docker-credential-<helper> get` with the host on stdin; null when it knows none. */
export async function runCredentialHelper(
  helper: string,
  serverUrl: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs = 10_000,
): Promise<RegistryCredentials | null> {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) throw new OrreryError('INVALID_INPUT', `invalid credential helper name "${helper}"`);
  const program = `docker-credential-${helper}`;
  const { code, stdout, stderr, spawnError } = await new Promise<{ code: number | null; stdout: string; stderr: string; spawnError?: Error }>((resolve) => {
    const child = spawn(program, ['get'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: out, stderr: err, spawnError: e });
    });
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, stdout: out, stderr: err });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(serverUrl);
  });
  if (spawnError) {
    throw new OrreryError('UNAVAILABLE', `credential helper ${program} could not be run: ${spawnError.message}`);
  }
  if (code !== 0) {
    const said = `${stdout} ${stderr}`.trim();
    if (/credentials not found/i.test(said)) return null;
    // The helper's output may echo secrets on some failures; report only its exit code.
    throw new OrreryError('UNAUTHORIZED', `credential helper ${program} failed for ${serverUrl} (exit code ${String(code)})`);
  }
  let parsed: { Username?: unknown; Secret?: unknown };
  try {
    parsed = JSON.parse(stdout) as { Username?: unknown; Secret?: unknown };
  } catch {
    throw new OrreryError('INTERNAL', `credential helper ${program} printed something that is not JSON`);
  }
  if (typeof parsed.Secret !== 'string' || parsed.Secret === '') return null;
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  if (username === '<token>') return { identityToken: parsed.Secret };
  return { username, password: parsed.Secret };
}

/**
 * Credentials from Docker's config.json, as the docker CLI finds them: `credHelpers[host]`, then
 * `auths[host]` (`auth`, `username`/`password`, `identitytoken`), then the `credsStore` helper.
 */
export function dockerConfigCredentials(options: DockerConfigOptions = {}): CredentialsProvider {
  return async (registry) => {
    const file = configPathFrom(options);
    const config = await readConfig(file);
    if (!config) return null;
    const env = options.env ?? process.env;
    const keys = keysFor(registry);
    const serverUrl = keys === DOCKER_HUB_KEYS ? 'https://index.docker.io/v1/' : registry;

    const helpers = config.credHelpers ?? {};
    for (const [key, helper] of Object.entries(helpers)) {
      if (keys.includes(normalizeRegistryKey(key))) return runCredentialHelper(helper, serverUrl, env, options.helperTimeoutMs);
    }

    for (const [key, entry] of Object.entries(config.auths ?? {})) {
      if (!keys.includes(normalizeRegistryKey(key)) || !entry) continue;
      const creds: RegistryCredentials = {};
      if (entry.auth) Object.assign(creds, decodeAuth(entry.auth, key));
      else if (entry.username !== undefined) {
        creds.username = entry.username;
        creds.password = entry.password ?? '';
      }
      if (entry.identitytoken) creds.identityToken = entry.identitytoken;
      if (creds.username !== undefined || creds.identityToken !== undefined) return creds;
    }

    if (config.credsStore) return runCredentialHelper(config.credsStore, serverUrl, env, options.helperTimeoutMs);
    return null;
  };
}
