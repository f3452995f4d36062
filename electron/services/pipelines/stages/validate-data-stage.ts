import type { ValidateDataStage } from '../pipeline-definition';
import { StageFailure, type StageContext, type StageOutcome } from './stage-context';

/** monitoring's drift and data-quality checks of a dataset against its reference; a failed check fails the stage. */
export async function runValidateDataStage(context: StageContext<ValidateDataStage>): Promise<StageOutcome> {
  const { stage } = context;
  const report = await context.call('monitoring.compareDatasets', {
    reference: stage.reference,
    current: stage.current,
    ...(stage.driftShare !== undefined ? { driftShare: stage.driftShare } : {}),
  });
  const share = report.driftShare === null ? 'no column could be tested' : `${report.driftedColumns} of ${report.testedColumns} columns drifted (threshold ${report.driftShareThreshold})`;
  context.log(`compared ${report.currentRows} rows with ${report.referenceRows} reference rows: ${share}`);
  const quality = report.quality;
  const qualityProblems = [
    ...(quality.missingColumns.length > 0 ? [`missing columns: ${quality.missingColumns.join(', ')}`] : []),
    ...(quality.breaches > 0 ? [`${quality.breaches} data-quality breach${quality.breaches === 1 ? '' : 'es'}`] : []),
  ];
  for (const problem of qualityProblems) context.log(problem);
  if (report.datasetDrift === true) throw new StageFailure(`the data drifted: ${share}`);
  if (stage.failOnQuality && qualityProblems.length > 0) throw new StageFailure(`data quality failed: ${qualityProblems.join('; ')}`);
  return { message: `no drift (${share})${qualityProblems.length > 0 ? `; ${qualityProblems.join('; ')}` : ''}` };
}
