/** The silence dialog's quick choices, in hours from now. */
export const SILENCE_PRESETS_HOURS = [1, 4, 24] as const;

/** A time as an <input type="datetime-local"> value, in local time: "2026-11-30T14:05". */
export function toDateTimeLocal(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** The typed "until" as ms since epoch, or what is wrong with it: it must be a valid time, later than now. */
export function parseSilenceUntil(text: string, now: number): { until?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'Choose until when the alert stays silent.' };
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(trimmed)) return { error: `'${trimmed}' is not a date and time.` };
  const until = new Date(trimmed).getTime();
  if (!Number.isFinite(until)) return { error: `'${trimmed}' is not a date and time.` };
  if (until <= now) return { error: 'Choose a time in the future.' };
  return { until };
}
