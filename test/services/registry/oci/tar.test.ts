import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { extractTar, safeRelativePath, writeTar } from '../../../../electron/services/registry/oci/tar';
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
