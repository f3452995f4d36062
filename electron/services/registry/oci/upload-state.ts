import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

/**
 * Where interrupted chunked uploads stand, so a push after a crash or restart sends only what the
 * registry lacks. The state is a hint, never trusted: the registry is asked what it holds before
 * any byte is sent, and an entry it refuses is discarded.
 */

/** The registry's upload URL (with its state token) and how many bytes it acknowledged there. */
export interface UploadState {
  location: string;
  offset: number;
}

/** Persists chunked-upload state so an upload survives a restart. Keys are `registry/repo@digest`. */
export interface UploadStateStore {
  get(key: string): Promise<UploadState | null>;
  set(key: string, state: UploadState): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A saved entry fit to resume from: an http(s) URL and a byte count; anything else is damage. */
export function isUsableUploadState(value: unknown): value is UploadState {
  if (!value || typeof value !== 'object') return false;
  const { location, offset } = value as Record<string, unknown>;
  if (typeof location !== 'string' || !Number.isSafeInteger(offset) || (offset as number) < 0) return false;
  try {
    const url = new URL(location);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export class MemoryUploadStateStore implements UploadStateStore {
  private readonly map = new Map<string, UploadState>();
  get(key: string): Promise<UploadState | null> {
    return Promise.resolve(this.map.get(key) ?? null);
  }
  set(key: string, state: UploadState): Promise<void> {
    this.map.set(key, { ...state });
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.map.delete(key);
    return Promise.resolve();
  }
}

/**
 * Upload state in one JSON file (`<data-dir>/registry-uploads.json`), written atomically. Changes
 * are applied one at a time, so two pushes in one process cannot lose each other's entries.
 * A damaged file or entry reads as absent (the upload starts clean) and is dropped on the next write.
 */
export class FileUploadStateStore implements UploadStateStore {
  private queue: Promise<unknown> = Promise.resolve();
  constructor(private readonly file: string) {}

  /** The usable entries, and whether the file held anything else (damage to drop on the next write). */
  private async readAll(): Promise<{ all: Record<string, UploadState>; damaged: boolean }> {
    let text: string;
    try {
      text = await fsp.readFile(this.file, 'utf8');
    } catch {
      return { all: {}, damaged: false };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { all: {}, damaged: true };
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { all: {}, damaged: true };
    const all: Record<string, UploadState> = {};
    let damaged = false;
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (isUsableUploadState(value)) all[key] = { location: value.location, offset: value.offset };
      else damaged = true;
    }
    return { all, damaged };
  }

  private async writeAll(all: Record<string, UploadState>): Promise<void> {
    await fsp.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(all), { mode: 0o600 });
    await fsp.rename(tmp, this.file);
  }

  /** Run `change` after every change before it (and whatever they did, failed or not). */
  private serial<T>(change: () => Promise<T>): Promise<T> {
    const next = this.queue.then(change, change);
    this.queue = next.catch(() => undefined);
    return next;
  }

  get(key: string): Promise<UploadState | null> {
    return this.serial(async () => (await this.readAll()).all[key] ?? null);
  }

  set(key: string, state: UploadState): Promise<void> {
    return this.serial(async () => {
      const { all } = await this.readAll();
      all[key] = { location: state.location, offset: state.offset };
      await this.writeAll(all);
    });
  }

  delete(key: string): Promise<void> {
    return this.serial(async () => {
      const { all, damaged } = await this.readAll();
      if (!(key in all) && !damaged) return;
      delete all[key];
      await this.writeAll(all);
    });
  }
}
