export interface NumberRule {
  required?: boolean;
  integer?: boolean;
  /** Exclusive lower bound. */
  above?: number;
  min?: number;
  max?: number;
  maxLabel?: string;
}

/** Parses one numeric field; an error message, or the number (undefined when empty and optional). */
export function checkNumber(text: string, rule: NumberRule): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return rule.required ? { error: 'required' } : {};
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { error: 'must be a number' };
  if (rule.integer && !Number.isInteger(value)) return { error: 'must be a whole number' };
  if (rule.above !== undefined && value <= rule.above) return { error: `must be more than ${rule.above}` };
  if (rule.min !== undefined && value < rule.min) return { error: `must be at least ${rule.min}` };
  if (rule.max !== undefined && value > rule.max) return { error: `must be at most ${rule.maxLabel ?? rule.max}` };
  return { value };
}
