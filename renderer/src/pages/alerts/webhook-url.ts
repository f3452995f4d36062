/** What is wrong with a typed webhook URL, or null; empty is fine (it removes the webhook). */
export function webhookError(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return `'${trimmed}' is not a URL; write it whole, like https://hooks.example.com/abc.`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `The webhook must be an http(s) URL, not ${url.protocol.replace(/:$/, '')}.`;
  if (trimmed.length > 2000) return 'The URL must be at most 2000 characters.';
  return null;
}
