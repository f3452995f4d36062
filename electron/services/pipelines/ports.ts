import type { MethodInput, MethodName, MethodResult } from '../../../shared/contract/index';
import type { EventBus } from '../events/event-bus';
import type { StageDefinition } from './pipeline-definition';

/**
 * A call into the app's own contract (validated like any caller's): stages train, register and
 * deploy through the same methods the UI and the command line use, so a stage can do nothing a
 * user could not.
 */
export type AppCall = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodResult<M>>;

export type AppEvents = Pick<EventBus, 'subscribe' | 'publish'>;

/** The cache area as the runner sees it. */
export interface StageCache {
  /**
   * The stage's key: its definition, image digest, params, deps' and code's content, upstream keys.
   * `file` (the pipeline file) is not code: editing one stage must not re-run the others.
   */
  keyOf(stage: StageDefinition, context: { folder: string; file: string; outs: string[]; imageDigest: string | null; upstreamKeys: Record<string, string> }): Promise<string>;
  outputsPresent(stage: StageDefinition): Promise<{ present: boolean; missing: string[] }>;
}
