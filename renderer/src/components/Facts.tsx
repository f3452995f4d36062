import type { ReactNode } from 'react';

export type Fact = readonly [label: string, value: ReactNode, testId?: string];

/** Label/value rows as a definition list. */
export function Facts({ rows }: { rows: readonly Fact[] }) {
  return (
    <dl className="facts">
      {rows.map(([label, value, testId]) => (
        <div className="fact" key={label}>
          <dt>{label}</dt>
          <dd data-testid={testId}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
