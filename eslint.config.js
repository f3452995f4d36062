// Lint, and the layering rules from DESIGN.md: which folder may import which.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';
import stylistic from '@stylistic/eslint-plugin';
import fs from 'node:fs';
import path from 'node:path';

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

/**
 * Folders under electron/services that every area may use: the store, events, RPC plumbing, auth,
 * config, the Docker module and stream helpers. Every other folder there is an area.
 */
const sharedServiceFolders = new Set(['auth', 'config', 'docker', 'events', 'rpc', 'store', 'streams']);
const servicesDir = path.join(import.meta.dirname, 'electron/services');
// The areas DESIGN.md plans are zoned before their folders exist, so their first file is checked.
const plannedAreas = ['serving', 'monitoring', 'pipelines'];
const areas = [
  ...new Set([
    ...plannedAreas,
    ...fs
      .readdirSync(servicesDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !sharedServiceFolders.has(entry.name))
      .map((entry) => entry.name),
  ]),
].sort();

/**
 * Areas reach each other only through ports: an area declares the small interface it needs in
 * its own folder (ports.ts) and compose.ts wires the other area's service to it. So no area
 * imports another area's folder; a new area is picked up from the folder tree.
 */
const areaZones = areas.map((area) =>
  zone(
    `./electron/services/${area}`,
    areas.filter((other) => other !== area).map((other) => `./electron/services/${other}`),
    `electron/services/${area} may not import another area. Declare the interface it needs in ` +
      `electron/services/${area}/ports.ts and let electron/services/compose.ts pass the other area's service in; ` +
      'code both areas share belongs in shared/ (types, pure rules) or a shared services folder (store, events, docker, streams).',
  ),
);

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
      'import-x/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: [...layerZones, ...areaZones] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The formatter: the house style as eslint's stylistic rules, so `npm run lint` checks it and
    // `npx eslint --fix .` applies it. Long lines are allowed; the rest is fixed, not argued.
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, flatTernaryExpressions: true, offsetTernaryExpressions: true, ignoredNodes: ['TemplateLiteral *'] }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true }],
      '@stylistic/jsx-quotes': ['error', 'prefer-double'],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', { arrays: 'always-multiline', objects: 'always-multiline', imports: 'always-multiline', exports: 'always-multiline', functions: 'always-multiline', enums: 'always-multiline', tuples: 'always-multiline', generics: 'ignore' }],
      '@stylistic/comma-spacing': 'error',
      '@stylistic/key-spacing': 'error',
      '@stylistic/keyword-spacing': 'error',
      '@stylistic/space-before-blocks': 'error',
      '@stylistic/space-infix-ops': 'error',
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/array-bracket-spacing': ['error', 'never'],
      '@stylistic/arrow-parens': ['error', 'always'],
      '@stylistic/arrow-spacing': 'error',
      '@stylistic/brace-style': ['error', '1tbs', { allowSingleLine: true }],
      '@stylistic/eol-last': 'error',
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxBOF: 0, maxEOF: 0 }],
      '@stylistic/member-delimiter-style': 'error',
      '@stylistic/type-annotation-spacing': 'error',
      '@stylistic/semi-spacing': 'error',
      '@stylistic/block-spacing': 'error',
      '@stylistic/no-multi-spaces': ['error', { ignoreEOLComments: true }],
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
