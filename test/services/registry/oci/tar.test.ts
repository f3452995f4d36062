import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrreryError } from '../../../../shared/errors';
import { extractTar, safeRelativePath, writeTar } from '../../../../electron/services/registry/oci/tar';
import { craftTar, type CraftedEntry } from '../../../helpers/crafted-tar';
import { tempDir } from '../../../helpers/temp-dir';

describe('ustar writer/reader', () => {
  it('round-trips files, nested folders and long names deterministically', async () => {
    const src = tempDir();
    const long = `${'d'.repeat(120)}/${'f'.repeat(150)}.txt`;
    fs.mkdirSync(path.join(src, 'a', 'b'), { recursive: true });
    fs.mkdirSync(path.join(src, path.dirname(long)), { recursive: true });
    fs.writeFileSync(path.join(src, 'a', 'b', 'x.txt'), 'x');
    fs.writeFileSync(path.join(src, 'top.bin'), Buffer.alloc(1000, 7));
    fs.writeFileSync(path.join(src, long), 'long');
    const out = tempDir();
    const one = await writeTar(src, path.join(out, 'one.tar'));
    const two = await writeTar(src, path.join(out, 'two.tar'));
    expect(one).toEqual(two);
    const dest = path.join(out, 'x');
    await extractTar(path.join(out, 'one.tar'), dest);
    expect(fs.readFileSync(path.join(dest, 'a', 'b', 'x.txt'), 'utf8')).toBe('x');
    expect(fs.readFileSync(path.join(dest, long), 'utf8')).toBe('long');
    expect(fs.readFileSync(path.join(dest, 'top.bin'))).toEqual(Buffer.alloc(1000, 7));
    // The system tar agrees with our format, where it exists.
    try {
      const listing = execFileSync('tar', ['-tf', path.join(out, 'one.tar')], { encoding: 'utf8' });
      expect(listing).toContain(long);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  });

  it('refuses archives that escape the target', async () => {
    const dir = tempDir();
    const evil = path.join(dir, 'evil');
    fs.mkdirSync(evil);
    fs.writeFileSync(path.join(evil, 'x'), 'x');
    try {
      execFileSync('tar', ['-cf', path.join(dir, 'evil.tar'), '-P', '--transform', 's,^.*x$,../escaped,', '-C', evil, 'x']);
    } catch {
      return; // no system tar to craft the archive
    }
    await expect(extractTar(path.join(dir, 'evil.tar'), path.join(dir, 'out'))).rejects.toThrow(/unsafe path/);
    expect(fs.existsSync(path.join(dir, 'escaped'))).toBe(false);
    expect(safeRelativePath('../a')).toBeNull();
    expect(safeRelativePath('/a')).toBeNull();
    expect(safeRelativePath('a/./b/')).toBe('a/b');
  });
});

describe('ustar reader against archives a writer never makes', () => {
  it('refuses the same file twice, a file under a file, and a folder entry where a file is, naming the entry', async () => {
    const cases: Array<[CraftedEntry[], string]> = [
      [[{ name: 'a.txt', data: '1' }, { name: 'a.txt', data: '2' }], 'the tar layer holds "a.txt" more than once; refusing to pull'],
      [[{ name: 'a', data: '1' }, { name: 'a/b', data: '2' }], 'the tar layer holds "a/b" where an earlier entry is a file; refusing to pull'],
      [[{ name: 'a', data: '1' }, { name: 'a/', type: 'dir' }], 'the tar layer holds "a" where an earlier entry is a file; refusing to pull'],
      [[{ name: 'a/', type: 'dir' }, { name: 'a', data: '1' }], 'the tar layer holds "a" as a file where an earlier entry is a folder; refusing to pull'],
    ];
    for (const [entries, message] of cases) {
      const dir = tempDir();
      fs.writeFileSync(path.join(dir, 'x.tar'), craftTar(entries));
      const error = await extractTar(path.join(dir, 'x.tar'), path.join(dir, 'out')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OrreryError);
      expect((error as OrreryError).code).toBe('INVALID_INPUT');
      expect((error as Error).message).toBe(message);
    }
  });

  it('a folder listed twice is harmless and extracts', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'x.tar'), craftTar([{ name: 'd/', type: 'dir' }, { name: 'd/f', data: 'f' }, { name: 'd/', type: 'dir' }]));
    await extractTar(path.join(dir, 'x.tar'), path.join(dir, 'out'));
    expect(fs.readFileSync(path.join(dir, 'out', 'd', 'f'), 'utf8')).toBe('f');
  });

  it('refuses a name longer than a file system takes, quoting it shortened', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'x.tar'), craftTar([{ name: `${'z'.repeat(400)}.bin`, data: 'x' }]));
    const error = await extractTar(path.join(dir, 'x.tar'), path.join(dir, 'out')).catch((e: unknown) => e);
    expect((error as OrreryError).code).toBe('INVALID_INPUT');
    expect((error as Error).message).toMatch(/^the tar layer holds an entry that cannot be stored: the name "z{60}…" is longer than 255 bytes/);
  });

  it('refuses an entry whose size field is not octal, with a clear error', async () => {
    const dir = tempDir();
    const tar = craftTar([{ name: 'a.txt', data: 'hello' }, { name: 'b.txt', data: 'world' }]);
    // Overwrite a.txt's size with digits that are not octal, and fix the checksum.
    tar.write('99999999999\0', 124, 'ascii');
    tar.fill(0x20, 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += tar[i]!;
    tar.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    fs.writeFileSync(path.join(dir, 'x.tar'), tar);
    await expect(extractTar(path.join(dir, 'x.tar'), path.join(dir, 'out'))).rejects.toThrow(/the tar layer is corrupt \(an entry with an unreadable size\)/);
  });
});
