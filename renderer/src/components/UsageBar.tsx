import { formatPercent } from '../lib/format';

interface UsageBarProps {
  /** 0..100, or null when unknown. */
  percent: number | null;
  /** What is measured, for assistive tech ("CPU utilisation"). */
  label: string;
  /** Text beside the bar; defaults to the percentage. */
  detail?: string;
}

/** A horizontal meter that turns amber and red as it fills. */
export function UsageBar({ percent, label, detail }: UsageBarProps) {
  const known = percent !== null && Number.isFinite(percent);
  const value = known ? Math.min(100, Math.max(0, percent)) : 0;
  const level = !known ? 'unknown' : value >= 90 ? 'high' : value >= 75 ? 'warn' : 'ok';
  const text = detail ?? formatPercent(percent);
  return (
    <div className="usage">
      <div
        className={`bar bar-${level}`}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={known ? Math.round(value) : undefined}
        aria-valuetext={known ? text : 'not reported'}
      >
        {/* Width via the CSSOM (React's style prop), which a style-src 'self' CSP allows. */}
        <div className="bar-fill" style={{ width: `${value}%` }} />
      </div>
      <span className="usage-text">{text}</span>
    </div>
  );
}
