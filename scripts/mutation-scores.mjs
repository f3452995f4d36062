// Prints the mutation score of each module in scripts/mutation-modules.mjs from Stryker's JSON
// report, and exits non-zero when one is below MODULE_MINIMUM (Stryker checks only the total).
import fs from 'node:fs';
import { MODULE_MINIMUM, MUTATED_MODULES } from './mutation-modules.mjs';

const reportPath = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(fs.readFileSync(reportPath, 'utf8'));

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function tally(mutants) {
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  const valid = detected + mutants.filter((m) => UNDETECTED.has(m.status)).length;
  return { detected, valid, score: valid === 0 ? 100 : (100 * detected) / valid };
}

const rows = [];
const all = [];
for (const module of MUTATED_MODULES) {
  const paths = new Set(module.files.map((file) => file.replace(/:[\d:-]+$/, '')));
  const mutants = Object.entries(report.files)
    .filter(([file]) => paths.has(file))
    .flatMap(([, entry]) => entry.mutants);
  all.push(...mutants);
  rows.push({ name: module.name, ...tally(mutants) });
}
const total = tally(all);

const width = Math.max(...rows.map((row) => row.name.length), 'total'.length);
const line = (name, { detected, valid, score }) => `${name.padEnd(width)}  ${score.toFixed(1).padStart(5)}%  ${String(detected).padStart(4)}/${valid}`;
console.log(`${'module'.padEnd(width)}  score   killed/valid`);
for (const row of rows) console.log(line(row.name, row) + (row.score < MODULE_MINIMUM ? `  below ${MODULE_MINIMUM}%` : ''));
console.log(line('total', total));

const low = rows.filter((row) => row.score < MODULE_MINIMUM);
if (low.length > 0) {
  console.error(`\n${low.length} module(s) below ${MODULE_MINIMUM}%: ${low.map((row) => row.name).join(', ')}`);
  process.exit(1);
}
