import type { GateStatus, ModelStage } from '../../../../shared/contract/registry';
import type { BadgeTone } from '../../components/Badge';

/** How stages and gate results look as badges. */
export const stageTone: Record<ModelStage, BadgeTone> = { None: 'neutral', Staging: 'warn', Production: 'ok', Archived: 'neutral' };
export const gateTone: Record<GateStatus, BadgeTone> = { passed: 'ok', failed: 'bad', none: 'neutral' };
export const gateLabel: Record<GateStatus, string> = { passed: 'gates passed', failed: 'gates failed', none: 'no gates' };
