// The modules under mutation testing and the files (or line ranges) each one covers.
// Line ranges keep SQL text in a store out of the count: a mutated SQL string is a crash, not a
// wrong answer a test should name.
export const MUTATED_MODULES = [
  { name: 'search filter', files: ['electron/services/tracking/search-filter.ts', 'electron/services/tracking/search-filter-tokens.ts'] },
  { name: 'run query', files: ['electron/services/tracking/run-query.ts', 'electron/services/tracking/page-token.ts'] },
  { name: 'metric buckets and downsampling', files: ['electron/services/tracking/metric-bucket.ts', 'electron/services/tracking/metric-store.ts:131-157', 'electron/services/tracking/metric-store.ts:242-270', 'electron/services/tracking/metric-store.ts:328-373'] },
  { name: 'gates', files: ['electron/services/registry/gates.ts'] },
  { name: 'resource manager', files: ['electron/services/training/resource-manager.ts'] },
  { name: 'DeviceRequests', files: ['electron/services/docker/device-requests.ts', 'electron/services/docker/gpu-refusal.ts', 'electron/services/training/gpu-env.ts'] },
  { name: 'early stopping', files: ['electron/services/training/early-stopping.ts'] },
  { name: 'sweep planner', files: ['electron/services/training/sweep-planner.ts'] },
  { name: 'artifact path guard', files: ['shared/artifact-path.ts'] },
  { name: 'OCI reference parser', files: ['electron/services/registry/oci/reference.ts'] },
  {
    name: 'canary rollout analysis',
    files: ['electron/services/serving/rollout-defaults.ts', 'electron/services/serving/canary-analysis.ts', 'electron/services/serving/canary-rollout.ts', 'electron/services/serving/rollout-transitions.ts'],
  },
  { name: 'blue-green rollout analysis', files: ['electron/services/serving/blue-green-rollout.ts'] },
  { name: 'shadow rollout analysis', files: ['electron/services/serving/shadow-rollout.ts', 'electron/services/serving/prediction-agreement.ts', 'electron/services/serving/latency-sketch.ts'] },
  { name: 'alert evaluator', files: ['electron/services/monitoring/alerts/alert-evaluator.ts'] },
  {
    name: 'KS and Cramér-von Mises tests',
    files: ['electron/services/monitoring/stats/ks-two-sample.ts', 'electron/services/monitoring/stats/kolmogorov-distribution.ts', 'electron/services/monitoring/stats/cramer-von-mises.ts', 'electron/services/monitoring/stats/bessel-k.ts'],
  },
  {
    name: 'drift statistics (chi-square, Z, Wasserstein, Jensen-Shannon, PSI, KL, Hellinger)',
    files: ['electron/services/monitoring/stats/special-functions.ts', 'electron/services/monitoring/stats/compensated-sum.ts', 'electron/services/monitoring/stats/sample-moments.ts', 'electron/services/monitoring/stats/chi-square.ts', 'electron/services/monitoring/stats/z-test.ts', 'electron/services/monitoring/stats/wasserstein.ts', 'electron/services/monitoring/stats/jensen-shannon.ts', 'electron/services/monitoring/stats/psi.ts', 'electron/services/monitoring/stats/kl-divergence.ts', 'electron/services/monitoring/stats/hellinger.ts'],
  },
  { name: 'drift binning and method registry', files: ['electron/services/monitoring/stats/binning.ts', 'electron/services/monitoring/stats/value-counts.ts', 'electron/services/monitoring/stats/effect-size.ts', 'electron/services/monitoring/stats/drift-methods.ts'] },
];

/** The minimum score for any one module; Stryker's own break threshold covers the total. */
export const MODULE_MINIMUM = 80;
