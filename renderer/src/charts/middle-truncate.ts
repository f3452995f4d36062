/** Characters of a name kept whole at its end when the middle has to go. */
export const KEPT_TAIL_CHARS = 10;

/**
 * A name split for truncation in the middle: the head (which CSS cuts with an ellipsis to fit the
 * width there is) and the tail (always shown). Run names differ at the end ("…-lr0.01-seed3") as
 * often as at the start, so both ends stay. Counts code points, so an emoji is never split; a name
 * barely longer than the tail is not split (tail '').
 */
export function middleSplit(text: string, tailChars = KEPT_TAIL_CHARS): { head: string; tail: string } {
  const chars = Array.from(text);
  if (chars.length <= tailChars + 3) return { head: text, tail: '' };
  return { head: chars.slice(0, chars.length - tailChars).join(''), tail: chars.slice(chars.length - tailChars).join('') };
}
