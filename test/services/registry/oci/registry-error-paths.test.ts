import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApprovalRequest, ModelVersion, RegistryPushResult } from '../../../../shared/contract/registry';
import { errorStatus, OrreryError } from '../../../../shared/errors';
import { EventBus } from '../../../../electron/services/events/event-bus';
import { ModelRegistryService } from '../../../../electron/services/registry/model-registry-service';
import { RegistryRepository } from '../../../../electron/services/registry/registry-repository';
import { TITLE_ANNOTATION } from '../../../../electron/services/registry/oci/model-artifact';
import { isRetryable, MemoryUploadStateStore, OciClient, type OciClientOptions } from '../../../../electron/services/registry/oci/oci-client';
import { parseReference } from '../../../../electron/services/registry/oci/reference';
import { openDatabase } from '../../../../electron/services/store/database';
import { ArtifactStore } from '../../../../electron/services/tracking/artifact-store';
import { TrackingService } from '../../../../electron/services/tracking/tracking-service';
import { dockerRegistryAvailable, freePort, startDockerRegistry, type RunningRegistry } from '../../../helpers/docker-registry';
import { startFaultyRegistryProxy, type FaultyRegistryProxy } from '../../../helpers/faulty-registry-proxy';
import { tempDir } from '../../../helpers/temp-dir';
import { startTestServer, type TestServer } from '../../../helpers/test-server';

/**
 * What a user sees when a push or pull goes wrong: the registry refusing (401/403/404/413, a
 * manifest policy), a blob that does not match its digest, a registry that does not answer. The
 * faults come from a proxy in front of a real docker-registry, as nginx or a policy engine would
 * stand in front of Harbor.
 */
const haveRegistry = dockerRegistryAvailable();

const MODEL_BYTES = Buffer.alloc(4096, 7);
const MODEL_DIGEST = `sha256:${createHash('sha256').update(MODEL_BYTES).digest('hex')}`;

let dataDir: string;
let db: Database;
let registry: ModelRegistryService;
let clientOptions: OciClientOptions;

beforeEach(() => {
  dataDir = tempDir();
  db = openDatabase({ dataDir }).db;
  const bus = new EventBus();
  const tracking = new TrackingService({ db, bus });
  const artifacts = new ArtifactStore(path.join(dataDir, 'artifacts'));
  const uploadStateStore = new MemoryUploadStateStore();
  clientOptions = {};
  registry = new ModelRegistryService({ repository: new RegistryRepository(db), bus, tracking, artifacts, dataDir, ociClient: () => new OciClient({ uploadStateStore, ...clientOptions }) });
});
afterEach(() => db.close());

function modelFolder(): string {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'model.onnx'), MODEL_BYTES);
  fs.mkdirSync(path.join(folder, 'sub'));
  fs.writeFileSync(path.join(folder, 'sub', 'labels.txt'), 'cat\ndog\n');
  return folder;
}

/** Version 1 of `tiny`, approved: ready to push. */
async function approvedTiny(): Promise<void> {
  await registry.registerFromFolder({ folder: modelFolder(), name: 'tiny', actor: 'alice' });
  registry.approve({ name: 'tiny', version: 1, reviewer: 'bob' });
}

async function failure(promise: Promise<unknown>): Promise<OrreryError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(OrreryError);
  return error as OrreryError;
}

function pushedEntries(name = 'tiny'): number {
  return registry.auditLog(name).filter((a) => a.action === 'pushed').length;
}

/** After a failed pull: no new model or version, no pulled entry, nothing left under <dataDir>/models. */
function expectNothingStored(): void {
  expect(fs.readdirSync(path.join(dataDir, 'models'))).toEqual(['tiny']);
  expect(fs.readdirSync(path.join(dataDir, 'models', 'tiny'))).toEqual(['1']);
  expect(registry.listModels().map((m) => [m.name, m.versionCount])).toEqual([['tiny', 1]]);
  expect(registry.auditLog().some((a) => a.action === 'pulled')).toBe(false);
}

describe.skipIf(!haveRegistry)('registry push and pull refused by the registry (a faulty proxy in front of docker-registry)', () => {
  let oci: RunningRegistry;
  let proxy: FaultyRegistryProxy;
  beforeAll(async () => {
    oci = await startDockerRegistry();
    proxy = await startFaultyRegistryProxy(oci.url);
  });
  afterAll(async () => {
    await proxy?.stop();
    await oci?.stop();
  });
  beforeEach(() => {
    proxy.rules = {};
    proxy.requests.length = 0;
  });

  it('forwards faithfully when no rule applies: push, re-push (skips) and pull through the proxy', async () => {
    await approvedTiny();
    const reference = `${proxy.host}/ok/tiny:v1`;
    const first = await registry.push({ name: 'tiny', version: 1, reference, actor: 'alice' });
    expect(first.uploaded).toBe(3);
    expect((await registry.push({ name: 'tiny', version: 1, reference, actor: 'alice' })).skipped).toBe(3);
    // The upload Location came back pointing at the proxy, not the registry behind it.
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/blobs/uploads/'))).toHaveLength(3);
    const copy = await registry.pull({ reference, name: 'tiny-copy', actor: 'dave' });
    expect(copy.lineage.digest).toBe(first.digest);
    expect(proxy.requests.every((r) => r.fault === null)).toBe(true);
  });

  it('403 on push: FORBIDDEN with the registry message, nothing pushed, no audit entry', async () => {
    await approvedTiny();
    proxy.rules = { denyPush: ['team/tiny'] };
    const err = await failure(registry.push({ name: 'tiny', version: 1, reference: `${proxy.host}/team/tiny:v1`, actor: 'alice' }));
    expect(err.code).toBe('FORBIDDEN');
    expect(isRetryable(err)).toBe(false);
    expect(err.message).toBe(
      `registry ${proxy.host} refused starting a blob upload to team/tiny: HTTP 403: DENIED: requested access to the resource is denied`,
    );
    expect(pushedEntries()).toBe(0);
    expect(registry.getVersion('tiny', 1).pushes).toEqual([]);
    // Refused at the first write: no manifest was ever sent.
    expect(proxy.requests.some((r) => r.url.includes('/manifests/'))).toBe(false);
  });

  it('413 on a blob upload (nginx client_max_body_size): INVALID_INPUT, says it is too large, no HTML', async () => {
    await approvedTiny();
    proxy.rules = { maxUploadBytes: 2048 };
    const err = await failure(registry.push({ name: 'tiny', version: 1, reference: `${proxy.host}/big/tiny:v1`, actor: 'alice' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(proxy.requests.filter((r) => r.fault === 'too-large')).toHaveLength(1);
    expect(err.message).toContain(`registry ${proxy.host} refused the upload of blob ${MODEL_DIGEST}: HTTP 413`);
    expect(err.message).toContain('413 Request Entity Too Large');
    expect(err.message).toMatch(/too large/i);
    expect(err.message).toMatch(/limits the size of uploads/);
    expect(err.message).not.toMatch(/<[a-z/]/i);
    expect(pushedEntries()).toBe(0);
    expect(proxy.requests.some((r) => r.url.includes('/manifests/'))).toBe(false);
  });

  it('413 on a chunk of a chunked upload: the same clear message', async () => {
    await approvedTiny();
    clientOptions = { chunkThreshold: 1024, chunkSize: 3000 };
    proxy.rules = { maxUploadBytes: 2048 };
    const err = await failure(registry.push({ name: 'tiny', version: 1, reference: `${proxy.host}/big/chunked:v1`, actor: 'alice' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(`registry ${proxy.host} refused a chunk of blob ${MODEL_DIGEST}: HTTP 413: 413 Request Entity Too Large`);
    expect(err.message).toMatch(/limits the size of uploads/);
    expect(err.message).not.toMatch(/<[a-z/]/i);
    expect(pushedEntries()).toBe(0);
  });

  it('a manifest refused by policy: INVALID_INPUT with the registry code, message and detail; no tag, no audit entry', async () => {
    await approvedTiny();
    proxy.rules = { rejectManifests: ['policy/tiny'] };
    const err = await failure(registry.push({ name: 'tiny', version: 1, reference: `${proxy.host}/policy/tiny:v1`, actor: 'alice' }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe(
      `registry ${proxy.host} refused the manifest for policy/tiny:v1: HTTP 400: MANIFEST_INVALID: manifest invalid (artifactType not allowed by policy)`,
    );
    expect(pushedEntries()).toBe(0);
    // The blobs went up; the tag did not.
    expect(proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes('/blobs/uploads/') && r.status === 201)).toHaveLength(3);
    const tag = await failure(new OciClient().getManifest(parseReference(`${oci.host}/policy/tiny:v1`)));
    expect(tag.code).toBe('NOT_FOUND');

    // Once the policy allows it, a push goes through and sends only the manifest.
    proxy.rules = {};
    const again = await registry.push({ name: 'tiny', version: 1, reference: `${proxy.host}/policy/tiny:v1`, actor: 'alice' });
    expect([again.uploaded, again.skipped]).toEqual([0, 3]);
    expect(pushedEntries()).toBe(1);
  });

  it('404 on pull of an unknown tag: NOT_FOUND saying the reference was not found; nothing stored', async () => {
    await approvedTiny();
    const reference = `${proxy.host}/nowhere/tiny:v9`;
    const err = await failure(registry.pull({ reference, name: 'tiny-copy', actor: 'dave' }));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${reference} was not found on registry ${proxy.host}`);
    expect(err.message).toContain('HTTP 404: MANIFEST_UNKNOWN: manifest unknown');
    expectNothingStored();
  });

  it('a blob that does not match its digest is refused, with both digests; nothing stored', async () => {
    await approvedTiny();
    const reference = `${proxy.host}/corrupt/tiny:v1`;
    await registry.push({ name: 'tiny', version: 1, reference, actor: 'alice' });
    const { manifest } = await new OciClient().getManifest(parseReference(`${oci.host}/corrupt/tiny:v1`));
    // Corrupt the second layer, so the first is already downloaded (into staging) when it fails.
    const [first, second] = manifest.layers;
    expect(first?.digest).toBe(MODEL_DIGEST);
    expect(second?.annotations?.[TITLE_ANNOTATION]).toBe('sub/labels.txt');
    proxy.rules = { corruptBlobs: [second!.digest] };

    // Into another model (tiny itself refuses the artifact it pushed), so a success would have stored tiny-copy.
    const err = await failure(registry.pull({ reference, name: 'tiny-copy', actor: 'dave' }));
    expect(proxy.requests.filter((r) => r.fault === 'corrupt-blob')).toHaveLength(1);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(
      new RegExp(`^blob from registry ${proxy.host.replace(/\./g, '\\.')} failed verification: expected ${second!.digest} \\(${second!.size} bytes\\), got sha256:[a-f0-9]{64} \\(${second!.size} bytes\\); nothing was stored$`),
    );
    expect(err.message).not.toContain(`got ${second!.digest}`);
    expectNothingStored();
  });
});

describe.skipIf(!haveRegistry)('registry push and pull to a registry that wants a password (htpasswd), with none configured', () => {
  let oci: RunningRegistry;
  beforeAll(async () => {
    oci = await startDockerRegistry({ auth: { kind: 'htpasswd' } });
  });
  afterAll(async () => {
    await oci?.stop();
  });

  it('401: UNAUTHORIZED, saying credentials are needed; no audit entry, nothing stored', async () => {
    await approvedTiny();
    const push = await failure(registry.push({ name: 'tiny', version: 1, reference: `${oci.host}/private/tiny:v1`, actor: 'alice' }));
    expect(push.code).toBe('UNAUTHORIZED');
    expect(push.message).toBe(`registry ${oci.host} requires a username and password (Basic auth) and none are configured for it`);
    expect(pushedEntries()).toBe(0);

    const pull = await failure(registry.pull({ reference: `${oci.host}/private/tiny:v1`, actor: 'dave' }));
    expect(pull.code).toBe('UNAUTHORIZED');
    expect(pull.message).toContain(`registry ${oci.host} requires a username and password`);
    expectNothingStored();
  });
});

describe('registry push and pull to an unreachable registry', () => {
  it('UNAVAILABLE, retryable, names the registry and says to try again; no audit entry, nothing stored', async () => {
    await approvedTiny();
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    const push = await failure(registry.push({ name: 'tiny', version: 1, reference: `${host}/models/tiny:v1`, actor: 'alice' }));
    expect(push.code).toBe('UNAVAILABLE');
    expect(isRetryable(push)).toBe(true);
    expect(push.message).toBe(`registry at ${host} is unreachable (ECONNREFUSED); try again later`);
    expect(pushedEntries()).toBe(0);

    const pull = await failure(registry.pull({ reference: `${host}/models/tiny:v1`, actor: 'dave' }));
    expect(pull.code).toBe('UNAVAILABLE');
    expect(isRetryable(pull)).toBe(true);
    expect(pull.message).toBe(`registry at ${host} is unreachable (ECONNREFUSED); try again later`);
    expectNothingStored();
  });
});

describe.skipIf(!haveRegistry)('registry push and pull errors over HTTP RPC', () => {
  let oci: RunningRegistry;
  let proxy: FaultyRegistryProxy;
  let server: TestServer;
  beforeAll(async () => {
    oci = await startDockerRegistry();
    proxy = await startFaultyRegistryProxy(oci.url, { denyPush: ['denied/tiny'], maxUploadBytes: 2048 });
    server = await startTestServer();
    const registered = await server.rpc<ModelVersion>('registry.registerFromFolder', { folder: modelFolder(), name: 'tiny', actor: 'alice' });
    expect(registered.status).toBe(200);
    const approved = await server.rpc<ApprovalRequest>('registry.approve', { name: 'tiny', version: 1, reviewer: 'bob' });
    expect(approved.body.result?.status).toBe('approved');
  });
  afterAll(async () => {
    await server?.close();
    await proxy?.stop();
    await oci?.stop();
  });

  it('each refusal reaches the client with its code, HTTP status and message', async () => {
    const cases: Array<{ method: string; input: Record<string, unknown>; code: keyof typeof errorStatus; message: RegExp }> = [
      {
        method: 'registry.push',
        input: { name: 'tiny', version: 1, reference: `${proxy.host}/denied/tiny:v1`, actor: 'alice' },
        code: 'FORBIDDEN',
        message: /refused starting a blob upload to denied\/tiny: HTTP 403: DENIED: requested access to the resource is denied/,
      },
      {
        method: 'registry.push',
        input: { name: 'tiny', version: 1, reference: `${proxy.host}/big/tiny:v1`, actor: 'alice' },
        code: 'INVALID_INPUT',
        message: /refused the upload of blob sha256:[a-f0-9]{64}: HTTP 413: 413 Request Entity Too Large/,
      },
      {
        method: 'registry.pull',
        input: { reference: `${proxy.host}/nowhere/tiny:v9`, actor: 'dave' },
        code: 'NOT_FOUND',
        message: /nowhere\/tiny:v9 was not found on registry/,
      },
      {
        method: 'registry.push',
        input: { name: 'tiny', version: 1, reference: `127.0.0.1:${await freePort()}/models/tiny:v1`, actor: 'alice' },
        code: 'UNAVAILABLE',
        message: /is unreachable \(ECONNREFUSED\); try again later/,
      },
    ];
    for (const c of cases) {
      const res = await server.rpc<RegistryPushResult>(c.method, c.input);
      expect(res.status, `${c.method} ${JSON.stringify(c.input)}`).toBe(errorStatus[c.code]);
      expect(res.body.ok).toBe(false);
      expect(res.body.error?.code).toBe(c.code);
      expect(res.body.error?.message).toMatch(c.message);
    }
    const audit = await server.rpc<Array<{ action: string }>>('registry.listAudit', { name: 'tiny' });
    expect(audit.body.result?.some((a) => a.action === 'pushed' || a.action === 'pulled')).toBe(false);
    expect(fs.readdirSync(path.join(server.dataDir, 'models'))).toEqual(['tiny']);
  });
});
