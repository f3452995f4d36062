import { defineConfig } from 'vitest/config';
import { E2E_TESTS } from './test/suites.js';
import base from './vitest.config.js';

// `npm run test:e2e`: Chromium against `npm run serve` (the global setup builds the app if stale).
export default defineConfig({
  test: { ...base.test, include: E2E_TESTS },
});
