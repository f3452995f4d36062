import type { AlertState, MonitorState } from '../../../../shared/contract/monitoring';
import type { BadgeTone } from '../../components/Badge';

/** How monitor states, drift verdicts and alert states look as badges. */
export const monitorStateTone: Record<MonitorState, BadgeTone> = { collecting: 'warn', watching: 'ok', failed: 'bad' };
export const alertTone: Record<AlertState, BadgeTone> = { firing: 'bad', pending: 'warn', resolved: 'neutral' };

export function driftTone(drift: boolean | null): BadgeTone {
  return drift === null ? 'neutral' : drift ? 'bad' : 'ok';
}
