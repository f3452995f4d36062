import { Readable } from 'node:stream';
import type { ArtifactEntry } from '../../shared/contract/tracking';
import { OrreryError } from '../../shared/errors';
import type { RunArtifactsReader } from '../../electron/services/registry/ports';
import type { RunArtifactsWriter } from '../../electron/services/training/ports';

/**
 * Runs' artifact folders in memory: what the registry reads (RunArtifactsReader) and training
 * writes (RunArtifactsWriter), with the artifact store's answers for a missing folder (empty) and
 * a file listed as a folder (INVALID_INPUT '… is not a folder').
 */
export class InMemoryRunArtifacts implements RunArtifactsReader, RunArtifactsWriter {
  private readonly files = new Map<string, Buffer>();

  private key(experimentId: string, runId: string, segments: readonly string[]): string {
    return `${experimentId}/${runId}/${segments.join('/')}`;
  }

  put(experimentId: string, runId: string, path: string, body: string | Buffer): void {
    this.files.set(this.key(experimentId, runId, path.split('/')), Buffer.from(body));
  }

  /** A run's files, by path relative to its artifact root. */
  filesOf(experimentId: string, runId: string): Record<string, string> {
    const prefix = `${experimentId}/${runId}/`;
    return Object.fromEntries([...this.files].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v.toString('utf8')]));
  }

  async write(experimentId: string, runId: string, segments: readonly string[], body: NodeJS.ReadableStream): Promise<{ size: number }> {
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Buffer | string>) chunks.push(Buffer.from(chunk));
    const data = Buffer.concat(chunks);
    this.files.set(this.key(experimentId, runId, segments), data);
    return { size: data.length };
  }

  async list(experimentId: string, runId: string, segments: readonly string[]): Promise<ArtifactEntry[]> {
    const here = this.key(experimentId, runId, segments);
    if (segments.length > 0 && this.files.has(here)) throw new OrreryError('INVALID_INPUT', `Artifact ${segments.join('/')} is not a folder`);
    const prefix = segments.length === 0 ? here : `${here}/`;
    const entries = new Map<string, ArtifactEntry>();
    for (const [key, data] of this.files) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length).split('/');
      const rel = [...segments, rest[0]!].join('/');
      entries.set(rel, rest.length > 1 ? { path: rel, isDir: true, size: null } : { path: rel, isDir: false, size: data.length });
    }
    return [...entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async open(experimentId: string, runId: string, segments: readonly string[]): Promise<{ stream: Readable }> {
    const data = this.files.get(this.key(experimentId, runId, segments));
    if (!data) throw new OrreryError('NOT_FOUND', `No artifact at ${segments.join('/') || '/'}`);
    return { stream: Readable.from([data]) };
  }
}
