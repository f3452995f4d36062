import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (see stryker.config.mjs): the ones that exercise the
// mutated modules without Docker, a browser or a built app, so a mutant costs milliseconds.
export default defineConfig({
  test: {
    include: [
      'test/services/tracking/search-filter.test.ts',
      'test/services/tracking/run-query.test.ts',
      'test/services/tracking/search-reference-model.test.ts',
      'test/services/tracking/metric-store.test.ts',
      'test/services/tracking/metric-bucket.test.ts',
      'test/shared/artifact-path.test.ts',
      'test/services/tracking/artifact-store.test.ts',
      'test/server/mlflow/mlflow-experiments-runs.test.ts',
      'test/server/mlflow/runs-search-reference-model.test.ts',
      'test/services/registry/gates.test.ts',
      'test/services/registry/oci/reference-credentials.test.ts',
      'test/services/registry/oci/reference-parser.test.ts',
      'test/services/training/resource-manager.test.ts',
      'test/services/docker/device-requests.test.ts',
      'test/services/training/early-stopping.test.ts',
      'test/services/training/sweep-planner.test.ts',
      'test/services/serving/rollout-settings.test.ts',
      'test/services/serving/canary-analysis.test.ts',
      'test/services/serving/canary-rollout.test.ts',
      'test/services/serving/blue-green-rollout.test.ts',
      'test/services/serving/shadow-rollout.test.ts',
      'test/services/monitoring/alerts/alert-evaluator.test.ts',
      'test/services/monitoring/stats/ks-two-sample.test.ts',
      'test/services/monitoring/stats/cramer-von-mises.test.ts',
      'test/services/monitoring/stats/special-functions.test.ts',
      'test/services/monitoring/stats/binning.test.ts',
      'test/services/monitoring/stats/drift-statistics.test.ts',
      'test/services/monitoring/stats/drift-methods.test.ts',
    ],
    environment: 'node',
    testTimeout: 20_000,
  },
});
