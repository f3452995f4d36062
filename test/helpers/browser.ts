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
