/**
 * How a typed hyperparameter value reads, the same in the launch dialog and `orrery jobs submit
 * --param`, so both launch the same spec: "0.1" → 0.1, "true" → true, anything else stays text
 * (trimmed).
 */
export type HyperValue = string | number | boolean;

export function parseHyperValue(text: string): HyperValue {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed !== '' && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed)) return Number(trimmed);
  return trimmed;
}
