import type { Reporter, TestModule } from 'vitest/node';

/**
 * CI's guard against quiet skips: with ORRERY_FAIL_ON_SKIP=1 (set by .ci/run), a run in which any
 * test skipped fails, and the skipped tests are listed. A test that needs a missing tool must
 * fail under CI's ORRERY_REQUIRE_* flags anyway; this catches one that forgot to.
 */
export default class SkipGuardReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.ORRERY_FAIL_ON_SKIP !== '1') return;
    const skipped = testModules.flatMap((module) => [...module.children.allTests('skipped')].map((test) => `${module.moduleId}: ${test.fullName}`));
    if (skipped.length === 0) return;
    console.error(`\n*** ${skipped.length} test(s) skipped, and ORRERY_FAIL_ON_SKIP=1 forbids it:\n${skipped.map((s) => `  - ${s}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}
