import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { OrreryError } from '../../../../shared/errors';
import { pathTooLong, quoteShort } from './limits';

/**
 * A minimal, deterministic ustar writer and a strict reader: regular files and folders only,
 * sorted entries, mtime 0, uid/gid 0, modes 0644/0755 (0755 for executable files), PAX `path`
 * records for names longer than ustar holds.
 */

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** One ustar header block (exported so tests can build archives a well-behaved writer never makes). */
export function ustarHeader(name: string, size: number, type: '0' | '5' | 'x', mode: number): Buffer {
  const buf = Buffer.alloc(BLOCK);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const split = name.lastIndexOf('/', name.length - 2);
    prefix = split > 0 ? name.slice(0, split) : '';
    base = split > 0 ? name.slice(split + 1) : name;
    if (Buffer.byteLength(base) > 100 || Buffer.byteLength(prefix) > 155) {
      throw new Error('name too long for ustar');
    }
  }
  buf.write(base, 0, 100, 'utf8');
  buf.write(octal(mode, 8), 100, 'ascii');
  buf.write(octal(0, 8), 108, 'ascii');
  buf.write(octal(0, 8), 116, 'ascii');
  buf.write(octal(size, 12), 124, 'ascii');
  buf.write(octal(0, 12), 136, 'ascii');
  buf.write('        ', 148, 'ascii');
  buf.write(type, 156, 'ascii');
  buf.write('ustar\0', 257, 'ascii');
  buf.write('00', 263, 'ascii');
  buf.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of buf) sum += b;
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return buf;
}

function fitsUstar(name: string): boolean {
  if (Buffer.byteLength(name) <= 100) return true;
  const split = name.lastIndexOf('/', name.length - 2);
  return split > 0 && Buffer.byteLength(name.slice(split + 1)) <= 100 && Buffer.byteLength(name.slice(0, split)) <= 155;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function padding(size: number): Buffer {
  const rem = size % BLOCK;
  return Buffer.alloc(rem === 0 ? 0 : BLOCK - rem);
}

interface Entry {
  name: string;
  abs: string;
  dir: boolean;
  size: number;
  mode: number;
}

async function collect(root: string, rel: string, out: Entry[]): Promise<void> {
  const names = (await fsp.readdir(path.join(root, rel))).sort();
  for (const n of names) {
    const relPath = rel ? `${rel}/${n}` : n;
    const abs = path.join(root, relPath);
    const st = await fsp.lstat(abs);
    if (st.isDirectory()) {
      out.push({ name: `${relPath}/`, abs, dir: true, size: 0, mode: 0o755 });
      await collect(root, relPath, out);
    } else if (st.isFile()) {
      out.push({ name: relPath, abs, dir: false, size: st.size, mode: st.mode & 0o111 ? 0o755 : 0o644 });
    } else {
      throw new OrreryError('INVALID_INPUT', `${abs} is neither a file nor a folder (symlinks and devices cannot go into a model artifact)`);
    }
  }
}

/** Pack the contents of `dir` into `outFile`; returns its sha256 digest and size. */
export async function writeTar(dir: string, outFile: string): Promise<{ digest: string; size: number }> {
  const entries: Entry[] = [];
  await collect(dir, '', entries);
  const hash = createHash('sha256');
  let size = 0;
  const out = fs.createWriteStream(outFile, { flags: 'wx' });
  const write = (buf: Buffer): Promise<void> => {
    hash.update(buf);
    size += buf.length;
    return out.write(buf) ? Promise.resolve() : new Promise((resolve) => out.once('drain', () => resolve()));
  };
  try {
    for (const e of entries) {
      if (!fitsUstar(e.name)) {
        const pax = paxRecord('path', e.name);
        await write(ustarHeader('PaxHeader', pax.length, 'x', 0o644));
        await write(pax);
        await write(padding(pax.length));
      }
      const shortName = fitsUstar(e.name) ? e.name : e.name.slice(-90).replace(/^\/+/, '');
      await write(ustarHeader(shortName, e.size, e.dir ? '5' : '0', e.mode));
      if (!e.dir) {
        let copied = 0;
        for await (const chunk of fs.createReadStream(e.abs)) {
          const c = chunk as Buffer;
          copied += c.length;
          await write(c);
        }
        if (copied !== e.size) throw new OrreryError('CONFLICT', `${e.abs} changed while it was being packed`);
        await write(padding(e.size));
      }
    }
    await write(Buffer.alloc(BLOCK * 2));
  } finally {
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** A relative path that stays inside its folder: no absolute paths, no `..`, no backslashes. */
export function safeRelativePath(name: string): string | null {
  if (name === '' || name.includes('\0') || name.includes('\\')) return null;
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return null;
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.some((p) => p === '..')) return null;
  return parts.join('/');
}

function parseOctal(buf: Buffer, start: number, len: number): number {
  const s = buf.toString('ascii', start, start + len).replace(/\0.*$/, '').trim();
  return s === '' ? 0 : parseInt(s, 8);
}

/** A PAX extended header holds a few records (a long path); more than this is not one Orrery reads. */
const MAX_PAX_BYTES = 1024 * 1024;

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * What a file-system refusal while creating entry `rel` means for the archive: the same path twice,
 * a file and a folder of one name, a name too long. Null for errors the archive did not cause (a
 * full disk), which go on as they are.
 */
async function entryClash(label: string, rel: string, target: string, error: unknown, asFile: boolean): Promise<OrreryError | null> {
  const code = errnoCode(error);
  if (code === 'ENAMETOOLONG') return new OrreryError('INVALID_INPUT', `${label} holds an entry that cannot be stored: the path ${quoteShort(rel)} is too long for this file system`);
  if (code === 'ENOTDIR') return new OrreryError('INVALID_INPUT', `${label} holds ${quoteShort(rel)} where an earlier entry is a file; refusing to pull`);
  if (code === 'EEXIST' || code === 'EISDIR') {
    const existing = await fsp.lstat(target).catch(() => null);
    if (asFile && existing?.isDirectory()) return new OrreryError('INVALID_INPUT', `${label} holds ${quoteShort(rel)} as a file where an earlier entry is a folder; refusing to pull`);
    if (asFile) return new OrreryError('INVALID_INPUT', `${label} holds ${quoteShort(rel)} more than once; refusing to pull`);
    return new OrreryError('INVALID_INPUT', `${label} holds ${quoteShort(rel)} where an earlier entry is a file; refusing to pull`);
  }
  return null;
}

/**
 * Extract a tar made of regular files and folders into `dest`, refusing anything that escapes it,
 * names the same file twice, puts a file where a folder is (or the reverse), or names what no file
 * system can store. The file system itself tells duplicates apart (files are created exclusively),
 * so memory stays flat however many entries the archive has. `label` names the archive in errors.
 */
export async function extractTar(tarFile: string, dest: string, label = 'the tar layer'): Promise<void> {
  await fsp.mkdir(dest, { recursive: true });
  const root = path.resolve(dest);
  const handle = await fsp.open(tarFile, 'r');
  try {
    const { size: total } = await handle.stat();
    let pos = 0;
    let paxPath: string | null = null;
    const hdr = Buffer.alloc(BLOCK);
    while (pos + BLOCK <= total) {
      await handle.read(hdr, 0, BLOCK, pos);
      pos += BLOCK;
      if (hdr.every((b) => b === 0)) break;
      let sum = 0;
      for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : hdr[i]!;
      if (sum !== parseOctal(hdr, 148, 8)) throw new OrreryError('INVALID_INPUT', `${label} is corrupt (bad header checksum)`);
      const size = parseOctal(hdr, 124, 12);
      // A size that is not octal (e.g. GNU base-256) would make the walk skip the rest silently.
      if (!Number.isSafeInteger(size) || size < 0) throw new OrreryError('INVALID_INPUT', `${label} is corrupt (an entry with an unreadable size)`);
      const type = String.fromCharCode(hdr[156]!);
      const rawName = hdr.toString('utf8', 0, 100).replace(/\0.*$/s, '');
      const prefix = hdr.toString('ascii', 257, 262) === 'ustar' ? hdr.toString('utf8', 345, 500).replace(/\0.*$/s, '') : '';
      const dataStart = pos;
      pos += size + padding(size).length;
      if (type === 'x') {
        if (size > MAX_PAX_BYTES) throw new OrreryError('INVALID_INPUT', `${label} holds an extended header of ${size} bytes; refusing to pull`);
        const data = Buffer.alloc(size);
        const { bytesRead } = await handle.read(data, 0, size, dataStart);
        if (bytesRead !== size) throw new OrreryError('INVALID_INPUT', `${label} is truncated`);
        const m = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'));
        paxPath = m ? m[1]! : null;
        continue;
      }
      if (type === 'g') continue;
      const name = paxPath ?? (prefix ? `${prefix}/${rawName}` : rawName);
      paxPath = null;
      const rel = safeRelativePath(name);
      if (!rel) throw new OrreryError('INVALID_INPUT', `${label} holds an unsafe path ${quoteShort(name)}`);
      const target = path.resolve(root, rel);
      if (!target.startsWith(root + path.sep)) throw new OrreryError('INVALID_INPUT', `${label} holds an unsafe path ${quoteShort(name)}`);
      const tooLong = pathTooLong(rel);
      if (tooLong) throw new OrreryError('INVALID_INPUT', `${label} holds an entry that cannot be stored: ${tooLong}`);
      if (type === '5') {
        try {
          await fsp.mkdir(target, { recursive: true });
        } catch (error) {
          throw (await entryClash(label, rel, target, error, false)) ?? error;
        }
      } else if (type === '0' || type === '\0') {
        const mode = parseOctal(hdr, 100, 8) & 0o111 ? 0o755 : 0o644;
        try {
          await fsp.mkdir(path.dirname(target), { recursive: true });
        } catch (error) {
          throw (await entryClash(label, rel, path.dirname(target), error, false)) ?? error;
        }
        let out: fsp.FileHandle;
        try {
          out = await fsp.open(target, 'wx', mode);
        } catch (error) {
          throw (await entryClash(label, rel, target, error, true)) ?? error;
        }
        try {
          const buf = Buffer.alloc(Math.min(size, 1024 * 1024));
          let done = 0;
          while (done < size) {
            const n = Math.min(buf.length, size - done);
            const { bytesRead } = await handle.read(buf, 0, n, dataStart + done);
            if (bytesRead !== n) throw new OrreryError('INVALID_INPUT', `${label} is truncated`);
            await out.write(buf, 0, n);
            done += n;
          }
        } finally {
          await out.close();
        }
      } else {
        throw new OrreryError('INVALID_INPUT', `${label} holds ${quoteShort(name)} of type ${JSON.stringify(type)}; only files and folders are allowed`);
      }
    }
  } finally {
    await handle.close();
  }
}
