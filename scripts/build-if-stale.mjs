// Builds only when a source is newer than the last build, so `npm run serve` starts at once when
// nothing changed, and tests starting several servers never rebuild dist/ under a running one.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { developmentMarkers } from './bundle-mode.mjs';

const root = path.resolve(import.meta.dirname, '..');
const stamp = path.join(root, 'dist', '.build-stamp');
const sources = ['electron', 'renderer', 'shared', 'scripts', 'vite.config.ts', 'package.json', 'package-lock.json'];

function newest(entry) {
  let stat;
  try {
    stat = fs.statSync(entry);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((max, name) => Math.max(max, newest(path.join(entry, name))), stat.mtimeMs);
}

const built = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : 0;
const changed = Math.max(...sources.map((s) => newest(path.join(root, s))));
// A development bundle left by an older build (tests once built one) is rebuilt even when current.
const development = developmentMarkers(path.join(root, 'dist', 'renderer')).length > 0;
if (built >= changed && !development) process.exit(0);
// The build's output goes to stderr: stdout stays the command's own (`npm run -s orrery -- … --json`).
const result = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: ['inherit', 2, 'inherit'], shell: process.platform === 'win32' });
process.exit(result.status ?? 1);
