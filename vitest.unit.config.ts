import { configDefaults, defineConfig } from 'vitest/config';
import { ALL_TESTS, notUnitTests } from './test/suites.js';
import base from './vitest.config.js';

// `npm run test:unit`: the tests that need no Docker, browser, built app or whole app (test/suites.ts
// tells them apart), so no global setup building the app either. `npm test` still runs everything.
export default defineConfig({
  test: {
    ...base.test,
    include: ALL_TESTS,
    exclude: [...configDefaults.exclude, ...notUnitTests()],
    globalSetup: [],
  },
});
