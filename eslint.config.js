// Lint, and the layering rules from DESIGN.md: which folder may import which.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

const zone = (target, from, message) => ({ target, from, message });

/** DESIGN.md's arrows: main → server → services → shared; cli → server; preload → shared; renderer → shared. */
const layerZones = [
  zone('./shared', ['./electron', './renderer'], 'shared/ is the contract: it imports nothing of ours.'),
  zone('./electron/services', ['./electron/server', './electron/cli', './electron/main', './electron/preload', './renderer'], 'services/ may import only shared/.'),
  zone('./electron/server', ['./electron/cli', './electron/main', './electron/preload', './renderer'], 'server/ may import services/ and shared/ only.'),
  zone('./electron/cli', ['./electron/main', './electron/preload', './renderer'], 'cli/ (the command line) may import server/, services/ and shared/ only.'),
  zone('./electron/main', ['./electron/cli', './electron/preload', './renderer'], 'main/ may import server/, services/ and shared/ only.'),
  zone('./electron/preload', ['./electron/services', './electron/server', './electron/cli', './electron/main', './renderer'], 'preload/ may import shared/ only.'),
  zone('./renderer', ['./electron'], 'renderer/ talks to the app only through the client in shared/.'),
];

const noElectron = {
  'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: "Only electron/main and electron/preload may import 'electron'." }] }],
};

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', '.electron-native/', 'test-output/', 'reports/', '.stryker-tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] })],
    },
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['shared/**', 'electron/services/**', 'electron/server/**', 'electron/cli/**', 'renderer/**'], rules: noElectron },
  {
    // No Node in the contract, the sandboxed preload or the browser code.
    files: ['shared/**', 'electron/preload/**', 'renderer/**'],
    rules: { 'import-x/no-nodejs-modules': 'error' },
  },
  {
    files: ['scripts/**', 'bench/**', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
);
