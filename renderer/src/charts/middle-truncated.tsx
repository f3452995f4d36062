import { middleSplit } from './middle-truncate';

/**
 * A name that, when it does not fit, loses its middle ("a-very-long-exp…lr0.1-seed-42"): the head
 * is cut by CSS with an ellipsis, so it fits whatever width there is, and the tail always shows.
 * The whole name is the element's text (for copying and screen readers) and its tooltip.
 */
export function MiddleTruncated({ text, className, tailChars }: { text: string; className?: string; tailChars?: number }) {
  const { head, tail } = middleSplit(text, tailChars);
  return (
    <span className={`middle-truncated${className ? ` ${className}` : ''}`} title={text}>
      <span className="middle-truncated-head">{head}</span>
      {tail && <span className="middle-truncated-tail">{tail}</span>}
    </span>
  );
}
