import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Fills the disk with a filler file until the file system refuses more. */
  fill(): void;
  /** Deletes the filler file: the disk has room again. */
  free(): void;
  unmount(): void;
}

/**
 * A real, tiny file system (tmpfs) for full-disk tests. Mounting needs root; where it is
 * impossible the reason comes back instead, for a loud skip.
 */
export function mountSmallDisk(sizeMb: number): SmallDisk | { unavailable: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-small-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m,mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return { unavailable: `cannot mount a ${sizeMb} MB tmpfs (${stderr || (error as Error).message}); full-disk behaviour is untested here` };
  }
  const filler = path.join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = fs.openSync(filler, 'a');
      const chunk = Buffer.alloc(64 * 1024, 1);
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        fs.closeSync(fd);
      }
      // The last partial chunk may have left a few bytes: take them too.
      const small = Buffer.alloc(512, 1);
      try {
        for (;;) fs.appendFileSync(filler, small);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
