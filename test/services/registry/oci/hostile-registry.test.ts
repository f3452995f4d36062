import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OrreryError } from '../../../../shared/errors';
import {
  MODEL_ARTIFACT_TYPE,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_DIR_MEDIA_TYPE,
  MODEL_FILE_MEDIA_TYPE,
  pullModel,
  TITLE_ANNOTATION,
} from '../../../../electron/services/registry/oci/model-artifact';
import { OCI_MANIFEST_MEDIA_TYPE, OciClient, type Descriptor } from '../../../../electron/services/registry/oci/oci-client';
import { parseReference } from '../../../../electron/services/registry/oci/reference';
import { craftTar } from '../../../helpers/crafted-tar';
import { sha256Digest, startHostileRegistry, type HostileRegistry } from '../../../helpers/hostile-registry';
import { watchCall } from '../../../helpers/loop-and-memory-watch';
import { tempDir } from '../../../helpers/temp-dir';

/**
 * Pulling from a registry that attacks the client: bodies far larger than allowed or than they
 * claim, manifests with more layers than a model has, tar layers a writer never makes. Each pull
 * must fail with a message naming the reference and the problem, while the process stays
 * responsive (event-loop stall) and small (RSS growth), and leave nothing behind.
 */

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
/**
 * What a user would notice: a server that stops answering for a second, or grows by 64 MB per pull.
 * A quadratic scan of these manifests stalls for several seconds; a loaded 2-core CI machine adds a
 * few hundred milliseconds of scheduling noise to an honest pull, which a tighter bound mistook for a stall.
 */
const MAX_STALL_MS = 1000;
const MAX_RSS_GROWTH = 64 * MiB;

const CARD = '{"name":"m","version":"1"}';

let hostile: HostileRegistry;
beforeAll(async () => {
  hostile = await startHostileRegistry();
});
afterAll(async () => {
  await hostile?.stop();
});
beforeEach(() => {
  hostile.requests.length = 0;
});

function layer(title: string, digest = sha256Digest(title), size = title.length, mediaType = MODEL_FILE_MEDIA_TYPE): Descriptor {
  return { mediaType, digest, size, annotations: { [TITLE_ANNOTATION]: title } };
}

function manifestJson(layers: Descriptor[], config: Descriptor = { mediaType: MODEL_CONFIG_MEDIA_TYPE, digest: sha256Digest(CARD), size: CARD.length }): string {
  return JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST_MEDIA_TYPE, artifactType: MODEL_ARTIFACT_TYPE, config, layers });
}

/** Route `repository:v1` to this manifest (and the card as its config, unless the test routes its own). */
function serveManifest(repository: string, json: string): string {
  hostile.route(`/v2/${repository}/manifests/v1`, { headers: { 'Content-Type': OCI_MANIFEST_MEDIA_TYPE, 'Content-Length': String(Buffer.byteLength(json)) }, body: json });
  hostile.blob(repository, CARD);
  return `${hostile.host}/${repository}:v1`;
}

/** Pull `reference` into a fresh folder; returns the error with what was watched, and the parent folder. */
async function pull(reference: string) {
  const parent = tempDir();
  const watched = await watchCall(() => pullModel(new OciClient(), parseReference(reference), path.join(parent, 'model')));
  console.log(`${reference}: stall ${watched.maxStallMs} ms, RSS +${(watched.rssGrowthBytes / MiB).toFixed(1)} MiB`);
  expect(watched.error, 'expected the pull to fail').toBeInstanceOf(OrreryError);
  return { ...watched, error: watched.error as OrreryError, parent };
}

function esc(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('pulling from a hostile registry', () => {
  it('a manifest streamed without end (1 GiB, no Content-Length) is refused at 4 MiB', async () => {
    const reference = `${hostile.host}/big/manifest:v1`;
    const route = '/v2/big/manifest/manifests/v1';
    // A valid manifest followed by a gigabyte of spaces: still JSON, just far too large.
    hostile.route(route, { headers: { 'Content-Type': OCI_MANIFEST_MEDIA_TYPE }, body: { total: GiB, head: manifestJson([layer('a')]) } });
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(new RegExp(`^the manifest of ${esc(reference)} is larger than 4 MiB`));
    expect(r.rssGrowthBytes).toBeLessThan(MAX_RSS_GROWTH);
    expect(r.maxStallMs).toBeLessThan(MAX_STALL_MS);
    // The client hung up soon after 4 MiB rather than reading on.
    expect(hostile.sent(route)).toBeLessThan(64 * MiB);
    expect(fs.readdirSync(r.parent)).toEqual([]);
  });

  it('a manifest whose Content-Length says 1 GiB is refused before its body is read', async () => {
    const reference = `${hostile.host}/big/declared:v1`;
    const route = '/v2/big/declared/manifests/v1';
    hostile.route(route, { headers: { 'Content-Type': OCI_MANIFEST_MEDIA_TYPE, 'Content-Length': String(GiB) }, body: { total: GiB, head: manifestJson([layer('a')]) } });
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(new RegExp(`^the manifest of ${esc(reference)} is larger than 4 MiB`));
    expect(r.rssGrowthBytes).toBeLessThan(MAX_RSS_GROWTH);
    expect(hostile.sent(route)).toBeLessThan(16 * MiB);
  });

  it('a config whose descriptor says 26 bytes but which streams 1 GiB is refused after 26 bytes', async () => {
    const reference = `${hostile.host}/big/config:v1`;
    const configDigest = sha256Digest(CARD);
    const route = `/v2/big/config/blobs/${configDigest}`;
    hostile.route('/v2/big/config/manifests/v1', { headers: { 'Content-Type': OCI_MANIFEST_MEDIA_TYPE }, body: manifestJson([layer('a')]) });
    hostile.route(route, { headers: { 'Content-Type': 'application/octet-stream' }, body: { total: GiB, head: CARD } });
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(new RegExp(`^the config ${configDigest} of ${esc(reference)} is longer than the 26 bytes its descriptor declares`));
    expect(r.rssGrowthBytes).toBeLessThan(MAX_RSS_GROWTH);
    expect(r.maxStallMs).toBeLessThan(MAX_STALL_MS);
    expect(hostile.sent(route)).toBeLessThan(64 * MiB);
    expect(fs.readdirSync(r.parent)).toEqual([]);
  });

  it('a config whose descriptor declares more than 4 MiB is refused without being requested', async () => {
    const reference = serveManifest(
      'big/declared-config',
      manifestJson([layer('a')], { mediaType: MODEL_CONFIG_MEDIA_TYPE, digest: sha256Digest('x'), size: 5 * MiB }),
    );
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(new RegExp(`^the config sha256:[a-f0-9]{64} of ${esc(reference)} declares 5242880 bytes; Orrery reads configs of at most 4 MiB`));
    expect(hostile.requests.some((q) => q.path.includes('/blobs/'))).toBe(false);
  });

  it('a manifest with 20,000 layers is refused by count, at once, before any blob is fetched', async () => {
    const layers = Array.from({ length: 20_000 }, (_, i) => layer(`f${String(i).padStart(5, '0')}`));
    const json = manifestJson(layers);
    expect(Buffer.byteLength(json)).toBeLessThan(4 * MiB);
    const reference = serveManifest('many/layers', json);
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toBe(`the manifest of ${reference} lists 20000 layers; Orrery pulls at most 10000`);
    expect(r.maxStallMs).toBeLessThan(MAX_STALL_MS);
    expect(hostile.requests.some((q) => q.path.includes('/blobs/'))).toBe(false);
  });

  it('duplicate and nested layer titles among 10,000 layers are found without stalling', async () => {
    const titles = Array.from({ length: 9_999 }, (_, i) => `f${String(i).padStart(5, '0')}`);
    const dup = serveManifest('many/dup', manifestJson([...titles, 'f04321'].map((t) => layer(t))));
    const d = await pull(dup);
    expect(d.error.code).toBe('INVALID_INPUT');
    expect(d.error.message).toBe(`the manifest of ${dup} lists "f04321" more than once; refusing to pull`);
    expect(d.maxStallMs).toBeLessThan(MAX_STALL_MS);

    const nested = serveManifest('many/nested', manifestJson([...titles, 'f09998/inner.bin'].map((t) => layer(t))));
    const n = await pull(nested);
    expect(n.error.message).toBe(`the manifest of ${nested} lists "f09998" and "f09998/inner.bin" inside it; refusing to pull`);
    expect(n.maxStallMs).toBeLessThan(MAX_STALL_MS);
    expect(hostile.requests.some((q) => q.path.includes('/blobs/'))).toBe(false);
  });

  it('a layer title of a million slashes is refused without stalling', async () => {
    const title = `a${'/'.repeat(1_000_000)}b`;
    const reference = serveManifest('odd/title', manifestJson([layer(title)]));
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message.length).toBeLessThan(400);
    expect(r.maxStallMs).toBeLessThan(MAX_STALL_MS);
  });

  it('a layer title with a name longer than a file system takes is INVALID_INPUT, not a download failure', async () => {
    const long = 'n'.repeat(300);
    const reference = serveManifest('odd/long-title', manifestJson([layer(`dir/${long}`)]));
    hostile.blob('odd/long-title', `dir/${long}`);
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(new RegExp(`^layer "dir/n{20,60}…" of ${esc(reference)} cannot be stored: the name "n{20,60}…" is longer than 255 bytes`));
    expect(r.error.message.length).toBeLessThan(400);
    expect(fs.readdirSync(r.parent)).toEqual([]);
  });

  it('a tar layer holding the same file twice is INVALID_INPUT naming the entry; nothing is left', async () => {
    const tar = craftTar([
      { name: 'vocab/', type: 'dir' },
      { name: 'vocab/words.txt', data: 'a\nb\n' },
      { name: 'vocab/words.txt', data: 'evil\n' },
    ]);
    const digest = hostile.blob('tar/dup', tar);
    const reference = serveManifest('tar/dup', manifestJson([layer('tokenizer', digest, tar.length, MODEL_DIR_MEDIA_TYPE)]));
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toBe(`layer "tokenizer" of ${reference} holds "vocab/words.txt" more than once; refusing to pull`);
    expect(fs.readdirSync(r.parent)).toEqual([]);
  });

  it('a tar layer holding a file and a folder of the same name is INVALID_INPUT naming the entry', async () => {
    const tar = craftTar([
      { name: 'x', data: 'file' },
      { name: 'x/y', data: 'under a file' },
    ]);
    const digest = hostile.blob('tar/clash', tar);
    const reference = serveManifest('tar/clash', manifestJson([layer('tokenizer', digest, tar.length, MODEL_DIR_MEDIA_TYPE)]));
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toBe(`layer "tokenizer" of ${reference} holds "x/y" where an earlier entry is a file; refusing to pull`);
    expect(fs.readdirSync(r.parent)).toEqual([]);
  });

  it('a tar entry with a name longer than a file system takes is INVALID_INPUT quoting it shortened', async () => {
    const long = 'a'.repeat(300);
    const tar = craftTar([{ name: `ok/${long}.txt`, data: 'x' }]);
    const digest = hostile.blob('tar/long', tar);
    const reference = serveManifest('tar/long', manifestJson([layer('tokenizer', digest, tar.length, MODEL_DIR_MEDIA_TYPE)]));
    const r = await pull(reference);
    expect(r.error.code).toBe('INVALID_INPUT');
    expect(r.error.message).toMatch(new RegExp(`^layer "tokenizer" of ${esc(reference)} holds an entry that cannot be stored: the name "a{20,60}…" is longer than 255 bytes`));
    expect(r.error.message.length).toBeLessThan(400);
    expect(fs.readdirSync(r.parent)).toEqual([]);
  });

  it('an error answer that never ends (1 GiB) gives a short message and bounded memory', async () => {
    const reference = `${hostile.host}/err/page:v1`;
    const route = '/v2/err/page/manifests/v1';
    hostile.route(route, { status: 500, headers: { 'Content-Type': 'text/html' }, body: { total: GiB, head: '<html><head><title>500 Internal Server Error</title></head><body>' } });
    const r = await pull(reference);
    expect(r.error.code).toBe('UNAVAILABLE');
    expect(r.error.message).toContain(`registry ${hostile.host} refused the manifest err/page:v1: HTTP 500: 500 Internal Server Error`);
    expect(r.error.message.length).toBeLessThan(600);
    expect(r.rssGrowthBytes).toBeLessThan(MAX_RSS_GROWTH);
    expect(r.maxStallMs).toBeLessThan(MAX_STALL_MS);
    expect(hostile.sent(route)).toBeLessThan(64 * MiB);
  });
});
