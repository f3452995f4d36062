import type { VersionRole } from '../../../../shared/contract/serving';
import { versionColor } from './serving-format';
import { trafficSegments } from './serving-metrics';

interface TrafficVersion {
  version: number;
  role: VersionRole;
  weight: number;
  approved: boolean;
}

/**
 * Each version's share of traffic as a segment of one bar, coloured by version as in the charts;
 * shadows (copies, no share) are named beside it. A stopped deployment takes no traffic: the bar is grey.
 */
export function TrafficBar({ versions, compact = false, stopped = false }: { versions: readonly TrafficVersion[]; compact?: boolean; stopped?: boolean }) {
  const segments = stopped ? [] : trafficSegments(versions);
  const shadows = versions.filter((v) => v.role === 'shadow');
  return (
    <div className={`traffic${compact ? ' traffic-compact' : ''}${stopped ? ' traffic-stopped' : ''}`} data-testid="traffic-bar">
      <div className="traffic-bar" role="img" aria-label={segments.map((s) => `version ${s.version} ${s.role} ${Math.round(s.share)}%`).join(', ') || (stopped ? 'no traffic while stopped' : 'no traffic')}>
        {segments.map((s) => (
          <span
            key={s.version}
            className="traffic-segment"
            data-testid="traffic-segment"
            data-version={s.version}
            data-weight={s.weight}
            title={`v${s.version} ${s.role}: ${s.weight}%`}
            ref={(el) => {
              if (!el) return;
              el.style.width = `${s.share}%`;
              el.style.background = versionColor(s.version);
            }}
          >
            {s.share >= (compact ? 18 : 8) ? `v${s.version} ${Math.round(s.weight)}%` : ''}
          </span>
        ))}
        {segments.length === 0 && <span className="traffic-none muted">{stopped ? 'no traffic while stopped' : 'no traffic'}</span>}
      </div>
      {!compact && (
        <ul className="traffic-legend">
          {versions.map((v) => (
            <li key={v.version}>
              <span className="swatch" ref={(el) => void (el && (el.style.background = versionColor(v.version)))} />v{v.version} <span className="muted">{v.role}</span> {v.weight}%
              {v.role === 'shadow' && <span className="muted"> (copies)</span>}
              {!v.approved && <span className="badge badge-warn badge-inline">unapproved</span>}
            </li>
          ))}
        </ul>
      )}
      {compact && shadows.length > 0 && <span className="muted small"> + shadow v{shadows.map((s) => s.version).join(', v')}</span>}
    </div>
  );
}
