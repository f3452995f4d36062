import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface HashedFile {
  sha256: string;
  size: number;
}

/** Copies a stream into a new file (never overwriting one) and returns the sha256 and size of the bytes written. */
export async function copyAndHash(source: NodeJS.ReadableStream, target: string): Promise<HashedFile> {
  await fsp.mkdir(path.dirname(target), { recursive: true });
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(source, tap, fs.createWriteStream(target, { flags: 'wx' }));
  return { sha256: hash.digest('hex'), size };
}
