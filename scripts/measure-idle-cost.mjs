// Idle cost of the headless server with the Overview open and sampling (Linux: reads /proc).
// Usage: npm run build && node scripts/measure-idle-cost.mjs [seconds]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

const seconds = Number(process.argv[2] ?? 60);
const root = path.resolve(import.meta.dirname, '..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'orrery-idle-'));
const ticks = 100; // USER_HZ on Linux
const server = spawn(process.execPath, [path.join(root, 'dist/cli/serve.js'), '--port', '0', '--data-dir', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
let out = '';
const url = await new Promise((resolve, reject) => {
  server.stdout.on('data', (chunk) => {
    out += chunk;
    const match = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
    if (match) resolve(match[1]);
  });
  server.once('exit', () => reject(new Error(out)));
});

const cpuTicks = () => {
  const fields = fs.readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;

const browser = await chromium.launch({
  executablePath: process.env.ORRERY_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
});
const page = await browser.newPage();
await page.goto(url);
await page.getByTestId('cpu-model').waitFor();
await page.waitForTimeout(10_000); // let start-up work settle

const startTicks = cpuTicks();
const start = Date.now();
let peakRss = rssMb();
while (Date.now() - start < seconds * 1000) {
  await page.waitForTimeout(1000);
  peakRss = Math.max(peakRss, rssMb());
}
const cpuPercent = ((cpuTicks() - startTicks) / ticks / ((Date.now() - start) / 1000)) * 100;
console.log(`idle with the Overview open for ${seconds} s: ${cpuPercent.toFixed(2)}% of one core, RSS ${rssMb().toFixed(1)} MB (peak ${peakRss.toFixed(1)} MB)`);

await browser.close();
server.kill('SIGTERM');
fs.rmSync(dataDir, { recursive: true, force: true });
