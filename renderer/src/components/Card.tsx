import { useId, type ReactNode } from 'react';

interface CardProps {
  title: string;
  /** Shown at the right of the title row (a badge, a button). */
  aside?: ReactNode;
  testId?: string;
  className?: string;
  children: ReactNode;
}

/** A titled panel of the dashboard grid; a labelled region so screen readers can jump between cards. */
export function Card({ title, aside, testId, className, children }: CardProps) {
  const titleId = useId();
  return (
    <section className={className ? `card ${className}` : 'card'} aria-labelledby={titleId} data-testid={testId}>
      <header className="card-head">
        <h2 id={titleId}>{title}</h2>
        {aside}
      </header>
      {children}
    </section>
  );
}
