import fs from 'node:fs';
import path from 'node:path';

/**
 * Which test files `npm run test:unit` runs: those that need nothing beyond Node, SQLite and a temp
 * folder. A file is told apart by what it calls (itself or through the test helpers it imports),
 * so a new test is placed by what it does, with no list to keep. `npm test` runs every file;
 * `npm run test:e2e` the browser tests in test/e2e.
 */
export const NEEDS: ReadonlyArray<{ need: string; uses: RegExp }> = [
  { need: 'a browser', uses: /\bchromiumPath\(/ },
  { need: 'a Docker engine', uses: /\bdockerAvailable\(|\bnew Docker(odeEngineClient)?\(/ },
  { need: 'a Docker registry', uses: /\bdockerRegistryAvailable\(|\bstartDockerRegistry\(/ },
  { need: 'the built app', uses: /\bstartServe\(|\bstartServerProcess\(|dist\/(?:server|cli|workers)\// },
  { need: 'a child bundled with esbuild', uses: /from ['"]esbuild['"]/ },
  // The whole app in-process: its HTTP tests, training jobs run as python or shell processes, the
  // Electron main process (electron/main/index) on a stand-in Electron.
  { need: 'the whole app', uses: /\bstartTestServer\(|\bcomposeApp\(|\bstartOrrery\(|import\('[./]*electron\/main\/index'\)/ },
];

export const TEST_ROOT = path.resolve(import.meta.dirname);
export const ALL_TESTS = ['test/**/*.test.ts'];
export const E2E_TESTS = ['test/e2e/**/*.test.ts'];

/** What `file` needs beyond Node (empty for a unit test), from its text and its local imports'. */
export function needsOf(file: string): string[] {
  const text = sourceWithLocalImports(path.resolve(file), new Set());
  return NEEDS.filter((n) => n.uses.test(text)).map((n) => n.need);
}

/** Test files (relative to the repository root) that are not unit tests. */
export function notUnitTests(): string[] {
  const root = path.dirname(TEST_ROOT);
  return testFiles(TEST_ROOT)
    .filter((file) => needsOf(file).length > 0)
    .map((file) => path.relative(root, file).split(path.sep).join('/'));
}

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

/** The file's text and, recursively, that of the test/ modules it imports (helpers, fakes). */
function sourceWithLocalImports(file: string, seen: Set<string>): string {
  if (seen.has(file) || !file.startsWith(TEST_ROOT) || !fs.existsSync(file)) return '';
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  const imported = [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((m) => path.resolve(path.dirname(file), m[1]!));
  return [text, ...imported.map((target) => sourceWithLocalImports(/\.\w+$/.test(target) ? target : `${target}.ts`, seen))].join('\n');
}
