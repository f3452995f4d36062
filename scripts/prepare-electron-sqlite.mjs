// Builds better-sqlite3 for Electron's ABI into .electron-native/, beside (not over) the Node
// build in node_modules that tests and headless mode use. The desktop main process loads it
// through better-sqlite3's `nativeBinding` option (electron/main/native-binding.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const readVersion = (pkg) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const electronVersion = readVersion('electron');
const sqliteVersion = readVersion('better-sqlite3');
const target = path.join(root, '.electron-native', 'better-sqlite3');
const binding = path.join(target, 'build', 'Release', 'better_sqlite3.node');
const stampFile = path.join(target, '.orrery-stamp');
const stamp = `electron ${electronVersion} better-sqlite3 ${sqliteVersion} ${process.arch}`;

if (fs.existsSync(binding) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) process.exit(0);

console.log(`Preparing better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (${process.arch})…`);
fs.rmSync(target, { recursive: true, force: true });
fs.cpSync(path.join(root, 'node_modules', 'better-sqlite3'), target, {
  recursive: true,
  filter: (src) => !src.includes(`${path.sep}build${path.sep}`) && !src.endsWith(`${path.sep}build`),
});
const electronArgs = ['--runtime=electron', `--target=${electronVersion}`, `--arch=${process.arch}`];
// A machine-wide nodedir (set for Node addons) would silently build against Node's headers.
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.toLowerCase() !== 'npm_config_nodedir'));
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);
const run = (command, args) => execFileSync(command, args, { cwd: target, stdio: 'inherit', env });
try {
  try {
    // A prebuilt Electron binary from better-sqlite3's releases, when one exists for this version.
    run(bin('prebuild-install'), electronArgs);
  } catch {
    run(bin('node-gyp'), ['rebuild', '--release', ...electronArgs, '--dist-url=https://electronjs.org/headers']);
  }
} catch {
  console.error(
    `Could not build better-sqlite3 for Electron ${electronVersion}. It needs network access to electronjs.org (headers) ` +
      'or GitHub (prebuilt binaries). Headless mode (npm run serve) and the tests do not need it.',
  );
  process.exit(1);
}
if (!fs.existsSync(binding)) {
  console.error(`The build finished but ${binding} is missing.`);
  process.exit(1);
}
fs.writeFileSync(stampFile, stamp);
console.log(`Electron build of better-sqlite3 ready: ${path.relative(root, binding)}`);
