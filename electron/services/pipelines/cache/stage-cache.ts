import type { StageDefinition } from '../pipeline-definition';
import type { StageCache } from '../ports';
import type { ContentHasher } from './content-hasher';
import { outputsPresent, stageKey } from './stage-key';

/** The cache area as the runner sees it: stage keys over one content hasher (and its stat cache). */
export class PipelineStageCache implements StageCache {
  constructor(private readonly hasher: ContentHasher) {}

  keyOf(
    stage: StageDefinition,
    context: { folder: string; outs: string[]; imageDigest: string | null; upstreamKeys: Record<string, string>; file?: string },
  ): Promise<string> {
    return stageKey({ ...context, stage, hasher: this.hasher });
  }

  outputsPresent(stage: StageDefinition): Promise<{ present: boolean; missing: string[] }> {
    return outputsPresent(stage);
  }
}
