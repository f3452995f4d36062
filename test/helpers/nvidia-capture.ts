/**
 * Splits an nvidia_gpu_exporter capture (internal/captures/collect.sh format) into its sections.
 * Each section is framed like:
 *
 *   ####################
 *   # idle :: query-gpu
 *   # $ nvidia-smi --query-gpu=... --format=csv
 *   ####################
 *   <raw output>
 *
 * Bodies keep their original line endings so CRLF handling can be tested on them.
 */
export interface CaptureSection {
  /** The command after `# $ `, e.g. `nvidia-smi --query-gpu=name,... --format=csv`. */
  command: string;
  /** The banner text before ` :: ` (`capabilities`, `idle`, `load`), or null when there is none. */
  phase: string | null;
  body: string;
}

const BANNER = /^#{20,}$/;

function content(line: string): string {
  return line.replace(/\r?\n$/, '');
}

export function splitCapture(text: string): CaptureSection[] {
  const lines = text.split(/(?<=\n)/);
  const starts = lines.flatMap((line, i) => (line.startsWith('# $ ') ? [i] : []));
  return starts.map((start, n) => {
    const end = starts[n + 1] ?? lines.length;
    let bodyStart = start + 1;
    if (BANNER.test(content(lines[bodyStart] ?? ''))) bodyStart += 1;
    // The next section's opening banner and label sit just above its `# $` line; leave them out.
    let bodyEnd = end;
    if (n + 1 < starts.length) {
      for (let i = end - 1; i >= bodyStart; i--) {
        if (BANNER.test(content(lines[i] ?? ''))) {
          bodyEnd = i;
          break;
        }
      }
    }
    const label = content(lines[start - 1] ?? '');
    const phase = /^# (.+?) :: /.exec(label)?.[1] ?? null;
    return {
      command: content(lines[start] ?? '').slice('# $ '.length).trim(),
      phase,
      body: lines.slice(bodyStart, bodyEnd).join(''),
    };
  });
}

/** Sections whose command starts with `prefix`, in file order. */
export function captureSections(text: string, prefix: string): CaptureSection[] {
  return splitCapture(text).filter((section) => section.command.startsWith(prefix));
}

/** The field list of a `--query-gpu=a,b,c` command. */
export function queryFields(command: string): string[] {
  const match = /--query-gpu=(\S+)/.exec(command);
  return match?.[1]?.split(',') ?? [];
}
