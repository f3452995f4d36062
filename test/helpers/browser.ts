import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '../../test-output/screenshots');

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Debian's Chromium, the way every browser test here starts it. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return chromium.launch({ executablePath, args: CHROMIUM_FLAGS });
}

export function screenshotPath(name: string): string {
  return path.join(SCREENSHOT_DIR, `${name}.png`);
}

/**
 * Uncaught page errors and console errors, collected for a test to assert there were none.
 * `expected` lets through console errors the test provokes on purpose.
 */
export function collectPageErrors(page: Page, expected?: RegExp): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !(expected && expected.test(message.text()))) errors.push(message.text());
  });
  return errors;
}

/** A POST to the MLflow REST API of a running Orrery, failing loudly on an error answer. */
export async function mlflowPost<T>(origin: string, token: string, endpoint: string, body: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/2.0/mlflow/${endpoint}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${endpoint}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** A call of the app's own API, failing loudly (method, code, message) on an error answer. */
export async function rpcPost<T>(origin: string, token: string, method: string, input: unknown): Promise<T> {
  const res = await fetch(`${origin}/api/rpc/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: boolean; result?: T; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.code} ${body.error?.message}`);
  return body.result as T;
}

/** A new page (1360×900 unless told) on the app at `openUrl` (which carries the token), moved to `hash` once signed in. */
export async function openAppPage(
  browser: Browser,
  openUrl: string,
  hash: string,
  expectedErrors?: RegExp,
  viewport = { width: 1360, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors = collectPageErrors(page, expectedErrors);
  await page.goto(openUrl);
  await page.waitForFunction("!window.location.hash.includes('token=')");
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
  return { page, errors };
}

/** The page scrolls inside its frame, so a full-page shot needs a viewport as tall as the content; the size is put back after. */
export async function screenshotWhole(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? { width: 1360, height: 900 };
  const height = (await page.evaluate("document.querySelector('.content').scrollHeight")) as number;
  await page.setViewportSize({ width: before.width, height: Math.min(6000, Math.max(before.height, height + 40)) });
  await page.waitForTimeout(300);
  await page.screenshot({ path: screenshotPath(name) });
  await page.setViewportSize(before);
}
