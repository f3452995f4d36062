import fs from 'node:fs';
import path from 'node:path';

const READ = 4;
const SEARCH = 1;

/**
 * Why `user` could not reach `target` (a folder it must enter and list, or a file it must read),
 * judged from the mode bits of every folder on the way, or null when it can. Orrery (root) asks
 * this for a job that drops to another uid before starting it, so that an unreadable workspace
 * fails with the folder named rather than with the script's own "No such file or directory".
 * The job has no supplementary groups (they are dropped with root); ACLs are not looked at.
 */
export function accessProblem(target: string, user: { uid: number; gid: number }): string | null {
  if (user.uid === 0) return null;
  const full = path.resolve(target);
  const parts = full.split('/').filter(Boolean);
  for (let i = 0; i <= parts.length; i++) {
    const at = `/${parts.slice(0, i).join('/')}`;
    let stat: fs.Stats;
    try {
      stat = fs.statSync(at);
    } catch (error) {
      return `${at} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
    const last = i === parts.length;
    const need = !last ? SEARCH : stat.isDirectory() ? READ | SEARCH : READ;
    const bits = stat.uid === user.uid ? (stat.mode >> 6) & 7 : stat.gid === user.gid ? (stat.mode >> 3) & 7 : stat.mode & 7;
    if ((bits & need) !== need) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      return `${at} is mode ${mode}, owner ${stat.uid}:${stat.gid}, so uid ${user.uid} cannot ${last && !stat.isDirectory() ? 'read it' : last ? 'enter and list it' : 'pass through it'}`;
    }
  }
  return null;
}
