import { ustarHeader } from '../../electron/services/registry/oci/tar';

/**
 * Builds tar archives a well-behaved writer never makes (the same name twice, names longer than a
 * file system takes), to feed a reader what a hostile registry could serve. ustar headers, with a
 * PAX `path` record for names that do not fit in one.
 */
export interface CraftedEntry {
  name: string;
  /** Folders have no data. */
  type?: 'file' | 'dir';
  data?: Buffer | string;
}

const BLOCK = 512;

/** The reader's own header writer; a name too long for ustar rides in a PAX record, its header holds a cut copy. */
function header(name: string, size: number, type: '0' | '5' | 'x'): Buffer {
  return ustarHeader(Buffer.byteLength(name) > 100 ? name.slice(0, 100) : name, size, type, type === '5' ? 0o755 : 0o644);
}

function pad(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

function paxPath(name: string): Buffer {
  const body = ` path=${name}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

export function craftTar(entries: CraftedEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const dir = e.type === 'dir';
    const data = dir ? Buffer.alloc(0) : Buffer.from(e.data ?? '');
    if (Buffer.byteLength(e.name) > 100) {
      const pax = paxPath(e.name);
      parts.push(header('PaxHeader', pax.length, 'x'), pax, pad(pax.length));
    }
    parts.push(header(e.name, data.length, dir ? '5' : '0'), data, pad(data.length));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
