/** The form a typed tag must take, as every tag input says it. */
export const TAG_FORM = 'key=value';

export type ParsedTag = { ok: true; key: string; value: string } | { ok: false; error: string };

/**
 * A tag typed as `key=value` (the value may be empty, `key=`; it may hold more `=`). Text without
 * `=` is refused rather than guessed at: "team" could mean a key with an empty value or a typo.
 */
export function parseTagText(text: string): ParsedTag {
  const trimmed = text.trim();
  const at = trimmed.indexOf('=');
  if (at < 0) return { ok: false, error: `Tag “${trimmed}”: expected ${TAG_FORM} (e.g. team=vision).` };
  const key = trimmed.slice(0, at).trim();
  if (key === '') return { ok: false, error: `Tag “${trimmed}”: the key before “=” is empty; expected ${TAG_FORM}.` };
  // Orrery reads its own tags (job id, re-run links, end reason): a typed one would pass for its word.
  if (key.startsWith('orrery.')) return { ok: false, error: `Tag “${key}”: orrery.* tags are Orrery's own and are set by Orrery; pick another key.` };
  return { ok: true, key, value: trimmed.slice(at + 1).trim() };
}

/** Tags MLflow and Orrery set themselves (run name, parent, job id…): shown apart, not edited as the user's own. */
export function isSystemTag(key: string): boolean {
  return key.startsWith('mlflow.') || key.startsWith('orrery.');
}
