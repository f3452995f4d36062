/** The result of splitting a command line: the arguments, or why it could not be split. */
export type ArgvResult = { ok: true; argv: string[] } | { ok: false; error: string };

/**
 * Splits a command line the way a POSIX shell does for plain words: whitespace separates,
 * single quotes keep everything literally, double quotes keep spaces and honour \" \\ \$ \`,
 * and a backslash outside quotes escapes the next character. No expansion of any kind.
 */
export function splitArgv(text: string): ArgvResult {
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 >= text.length) return { ok: false, error: 'ends with a lone backslash' };
      const next = text[++i]!;
      // A backslash-newline joins lines, as in a shell.
      if (next !== '\n') current += next;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) return { ok: false, error: `has an unclosed ${quote === "'" ? 'single' : 'double'} quote` };
  if (inWord) argv.push(current);
  return { ok: true, argv };
}

/** The reverse, for showing an argv: quotes only the words that need it. */
export function joinArgv(argv: readonly string[]): string {
  return argv.map((arg) => (arg !== '' && /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", '\'"\'"\'')}'`)).join(' ');
}
