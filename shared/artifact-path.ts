import { OrreryError } from './errors';
import { quote } from './tracking-limits';

/**
 * Artifact paths arrive from HTTP (URL paths, query values, JSON fields) and end up as file
 * paths. Everything here is a refusal list applied before any file is touched: a path either
 * comes out as plain, boring segments or not at all. Nothing is "cleaned up", because a
 * normaliser that guesses what a client meant is where traversal bugs live.
 */

const EXPERIMENT_ID = /^\d+$/;
const RUN_ID = /^[0-9a-f]{32}$/;
/** The longest file or folder name Linux, macOS and Windows file systems all take. */
const MAX_SEGMENT_BYTES = 255;

function refuse(problem: string, raw: string): never {
  throw new OrreryError('INVALID_INPUT', `Artifact path refused (${problem}): ${quote(raw)}`);
}

export function assertExperimentId(experimentId: string): void {
  if (!EXPERIMENT_ID.test(experimentId)) throw new OrreryError('INVALID_INPUT', `Invalid experiment id: ${quote(experimentId)}`);
}

export function assertRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw new OrreryError('INVALID_INPUT', `Invalid run id: ${quote(runId)}`);
}

/** The `artifact_uri` MLflow clients see for a run; the inverse of splitRunArtifactPath. */
export function artifactUri(experimentId: string, runId: string): string {
  assertExperimentId(experimentId);
  assertRunId(runId);
  return `mlflow-artifacts:/${experimentId}/${runId}/artifacts`;
}

/** Decodes a URL path exactly once; malformed escapes and non-UTF-8 bytes are refused, not passed through. */
function decodeOnce(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // decodeURIComponent throws on a '%' without two hex digits after it, on bytes that are not
    // UTF-8, and on overlong encodings such as %c0%ae (an old way to smuggle a dot).
    return refuse('invalid percent-encoding', raw);
  }
}

function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return code < 0x20 || (code >= 0x7f && code <= 0x9f);
}

/** Character-level refusals, checked on the whole decoded string so the message names the first trick found. */
function checkCharacters(text: string, raw: string): void {
  if (text.includes('\0')) refuse('NUL byte', raw);
  // C0 and C1 controls: nothing legitimate, and they confuse logs and terminals.
  if ([...text].some(isControl)) refuse('control character', raw);
  if (text.startsWith('\\\\')) refuse('UNC path', raw);
  if (/^[a-zA-Z]:/.test(text)) refuse('Windows drive letter', raw);
  if (text.includes('\\')) refuse('backslash', raw);
  if (text.includes('#')) refuse("'#'", raw);
  if (text.includes(';')) refuse("';'", raw);
  // NTFS alternate data streams (a.txt::$DATA); other colons are ordinary (epoch:3.ckpt).
  if (text.includes(':$')) refuse('NTFS stream name', raw);
}

function checkSegment(segment: string, raw: string): void {
  if (segment === '') refuse('empty segment', raw);
  if (segment === '.' || segment === '..') refuse(`'${segment}' segment`, raw);
  // Windows drops trailing dots and spaces, so '...' or '.. ' could land on '..' there.
  if (/^[. ]+$/.test(segment)) refuse('segment of only dots and spaces', raw);
  // On Windows "C:x" inside a path switches drive.
  if (/^[a-zA-Z]:/.test(segment)) refuse('Windows drive letter', raw);
  // File systems refuse longer names (ENAMETOOLONG), after the request was accepted.
  if (utf8Length(segment) > MAX_SEGMENT_BYTES) refuse(`a name longer than ${MAX_SEGMENT_BYTES} bytes`, raw);
}

/**
 * Safe segments of an artifact path, or INVALID_INPUT naming the problem. `encoded: true` means
 * `raw` is still percent-encoded (a URL path): it is decoded exactly once here. Either way a
 * `%XX` left in the decoded text is refused: it is double encoding (`%252e` → `%2e`) that a
 * later layer might decode again. An empty path is the root (`[]`); one trailing `/` is allowed.
 */
export function parseArtifactPath(raw: string, options: { encoded: boolean }): string[] {
  const text = options.encoded ? decodeOnce(raw) : raw;
  if (/%[0-9a-fA-F]{2}/.test(text)) refuse('percent-encoding left after decoding', raw);
  if (text === '') return [];
  checkCharacters(text, raw);
  if (text.startsWith('/')) refuse('absolute path', raw);
  const segments = (text.endsWith('/') ? text.slice(0, -1) : text).split('/');
  for (const segment of segments) checkSegment(segment, raw);
  return segments;
}

/**
 * Re-checks segments that did not come from parseArtifactPath (the store calls this on every
 * operation, so a caller that skips parsing still cannot escape).
 */
export function assertSafeSegments(segments: readonly string[]): void {
  const joined = segments.join('/');
  for (const segment of segments) {
    if (segment.includes('/')) refuse("'/' inside a segment", joined);
    if (/%[0-9a-fA-F]{2}/.test(segment)) refuse('percent-encoding left after decoding', joined);
    checkCharacters(segment, joined);
    checkSegment(segment, joined);
  }
}

/**
 * Splits the segments of a full mlflow-artifacts path (`<experimentId>/<runId>/artifacts/<rest>`)
 * into the run and the artifact-relative segments.
 */
export function splitRunArtifactPath(segments: readonly string[]): { experimentId: string; runId: string; path: string[] } {
  const [experimentId, runId, marker, ...rest] = segments;
  if (experimentId === undefined || runId === undefined || marker !== 'artifacts') {
    throw new OrreryError('INVALID_INPUT', `Expected <experimentId>/<runId>/artifacts/..., got ${quote(segments.join('/'))}`);
  }
  assertExperimentId(experimentId);
  assertRunId(runId);
  return { experimentId, runId, path: rest };
}

/** Bytes of a name in UTF-8, as file systems count them (a lone surrogate becomes U+FFFD: 3 bytes). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
