import { describe, expect, it } from 'vitest';
import { refusal } from '../helpers/refusal';
import { quote } from '../../shared/tracking-limits';
import {
  artifactUri,
  assertSafeSegments,
  parseArtifactPath,
  splitRunArtifactPath,
} from '../../shared/artifact-path';

const RUN = '0123456789abcdef0123456789abcdef';

describe('parseArtifactPath, still-encoded URL paths', () => {
  it('accepts ordinary checkpoint names with colons and spaces', () => {
    expect(parseArtifactPath('checkpoints/epoch:3.ckpt', { encoded: true })).toEqual(['checkpoints', 'epoch:3.ckpt']);
    expect(parseArtifactPath('sub%20dir/best%20model.pt', { encoded: true })).toEqual(['sub dir', 'best model.pt']);
  });

  it.each([
    ['..', "'..' segment"],
    ['../etc/passwd', "'..' segment"],
    ['model/../../secret', "'..' segment"],
    ['.', "'.' segment"],
    ['model/./notes.txt', "'.' segment"],
    ['%2e%2e', "'..' segment"],
    ['%2E%2e/x', "'..' segment"],
    ['model/%2e%2e/%2E%2E/x', "'..' segment"],
    ['%2e', "'.' segment"],
    ['..%2f..%2fetc%2fpasswd', "'..' segment"],
    ['%252e%252e', 'percent-encoding left after decoding'],
    ['%252E%252E%252Fetc', 'percent-encoding left after decoding'],
    ['model/%252e%252e/x', 'percent-encoding left after decoding'],
    ['%25%32%65%25%32%65', 'percent-encoding left after decoding'],
    ['a\\b', 'backslash'],
    ['..\\..\\x', 'backslash'],
    ['a%5cb', 'backslash'],
    ['%2e%2e%5C%2e%2e', 'backslash'],
    ['%5c%5cserver%5cshare', 'UNC path'],
    ['\\\\server\\share', 'UNC path'],
    ['/etc/passwd', 'absolute path'],
    ['%2fetc%2fpasswd', 'absolute path'],
    ['//server/share', 'absolute path'],
    ['/', 'absolute path'],
    ['C:', 'Windows drive letter'],
    ['c:%5cwindows', 'Windows drive letter'],
    ['C:/Windows/win.ini', 'Windows drive letter'],
    ['model/notes.txt::$DATA', 'NTFS stream name'],
    ['model/c:', 'Windows drive letter'],
    ['a%00b', 'NUL byte'],
    ['a\0b', 'NUL byte'],
    ['notes.txt%00.png', 'NUL byte'],
    ['a#b', "'#'"],
    ['a%23b', "'#'"],
    ['a;b', "';'"],
    ['a%3Bb', "';'"],
    ['a%0ab', 'control character'],
    ['a%0db', 'control character'],
    ['a%1fb', 'control character'],
    ['a%7fb', 'control character'],
    ['a%c2%85b', 'control character'],
    ['a%c2%9fb', 'control character'],
    ['a//b', 'empty segment'],
    ['a%2f%2fb', 'empty segment'],
    ['a//', 'empty segment'],
    ['...', 'only dots and spaces'],
    ['a/..%20', 'only dots and spaces'],
    ['%', 'invalid percent-encoding'],
    ['a%2', 'invalid percent-encoding'],
    ['a%zzb', 'invalid percent-encoding'],
    ['%ff', 'invalid percent-encoding'],
    ['%c0%ae%c0%ae', 'invalid percent-encoding'],
    ['%e0%80%ae', 'invalid percent-encoding'],
  ])('refuses %j (%s)', (raw, problem) => {
    const error = refusal(() => parseArtifactPath(raw, { encoded: true }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(problem);
  });

  it.each([
    ['', []],
    ['model', ['model']],
    ['model/notes.txt', ['model', 'notes.txt']],
    ['model/', ['model']],
    ['my%20model/a%2Bb.txt', ['my model', 'a+b.txt']],
    ['model%2Fnotes.txt', ['model', 'notes.txt']],
    ['100%25', ['100%']],
    ['donn%C3%A9es/%C3%BC.txt', ['données', 'ü.txt']],
    ['a%c2%a0b', ['a\u00a0b']],
    ['100%25done.txt', ['100%done.txt']],
    ['..foo/bar..', ['..foo', 'bar..']],
    ['.hidden/a.b.c', ['.hidden', 'a.b.c']],
  ])('accepts %j', (raw, segments) => {
    expect(parseArtifactPath(raw, { encoded: true })).toEqual(segments);
  });
});

describe('parseArtifactPath, already-decoded values', () => {
  it.each([
    ['..', "'..' segment"],
    ['../x', "'..' segment"],
    ['model/../../x', "'..' segment"],
    ['.', "'.' segment"],
    ['%2e%2e', 'percent-encoding left after decoding'],
    ['%2E%2e/x', 'percent-encoding left after decoding'],
    ['%252e', 'percent-encoding left after decoding'],
    ['a\\b', 'backslash'],
    ['\\\\server\\share', 'UNC path'],
    ['/etc/passwd', 'absolute path'],
    ['C:\\Windows', 'Windows drive letter'],
    ['c:', 'Windows drive letter'],
    ['a\0b', 'NUL byte'],
    ['a#b', "'#'"],
    ['a;b', "';'"],
    ['a\nb', 'control character'],
    ['a\tb', 'control character'],
    ['a//b', 'empty segment'],
    ['.. ', 'only dots and spaces'],
  ])('refuses %j (%s)', (raw, problem) => {
    const error = refusal(() => parseArtifactPath(raw, { encoded: false }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(problem);
  });

  it('does not decode a second time', () => {
    // '%' not followed by two hex digits is just a character in a decoded value.
    expect(parseArtifactPath('100%', { encoded: false })).toEqual(['100%']);
    expect(parseArtifactPath('100%done.txt', { encoded: false })).toEqual(['100%done.txt']);
    expect(parseArtifactPath('a+b', { encoded: false })).toEqual(['a+b']);
    expect(parseArtifactPath('', { encoded: false })).toEqual([]);
    expect(parseArtifactPath('model/notes.txt', { encoded: false })).toEqual(['model', 'notes.txt']);
  });
});

describe('parseArtifactPath, the refusal message', () => {
  it('names the problem and quotes the path as the client sent it', () => {
    expect(refusal(() => parseArtifactPath('model/%2e%2e/x', { encoded: true })).message).toBe(
      'Artifact path refused (\'..\' segment): "model/%2e%2e/x"',
    );
    expect(refusal(() => parseArtifactPath('a%zzb', { encoded: true })).message).toBe('Artifact path refused (invalid percent-encoding): "a%zzb"');
  });
});

describe('parseArtifactPath, name length', () => {
  const tooLong = (raw: string) => `Artifact path refused (a name longer than 255 bytes): ${quote(raw)}`;

  it('accepts names up to 255 bytes, which every desktop file system takes', () => {
    expect(parseArtifactPath(`model/${'a'.repeat(255)}`, { encoded: false })).toEqual(['model', 'a'.repeat(255)]);
    expect(parseArtifactPath('%C3%A9'.repeat(127), { encoded: true })).toEqual(['é'.repeat(127)]);
    expect(parseArtifactPath('€'.repeat(85), { encoded: false })).toEqual(['€'.repeat(85)]);
    expect(parseArtifactPath('😀'.repeat(63), { encoded: false })).toEqual(['😀'.repeat(63)]);
  });

  it.each([
    ['a 256-character name', `model/${'a'.repeat(256)}`, false],
    ['128 two-byte characters (256 bytes)', 'é'.repeat(128), false],
    ['128 encoded two-byte characters', '%C3%A9'.repeat(128), true],
    ['86 three-byte characters (258 bytes)', '€'.repeat(86), false],
    ['64 four-byte characters (256 bytes)', '😀'.repeat(64), false],
  ])('refuses %s', (_what, raw, encoded) => {
    expect(refusal(() => parseArtifactPath(raw, { encoded })).message).toBe(tooLong(raw));
  });

  it('counts the bytes of each name, not of the whole path', () => {
    const path = `${'a'.repeat(255)}/${'b'.repeat(255)}`;
    expect(parseArtifactPath(path, { encoded: false })).toEqual(['a'.repeat(255), 'b'.repeat(255)]);
  });
});

describe('assertSafeSegments', () => {
  it.each([[['..']], [['a', '.']], [['a/../b']], [['']], [['a\\b']], [['%2e%2e']], [['C:']], [['a\0']]])('refuses %j', (segments) => {
    expect(refusal(() => assertSafeSegments(segments)).code).toBe('INVALID_INPUT');
  });

  it('accepts plain segments and the root', () => {
    expect(() => assertSafeSegments([])).not.toThrow();
    expect(() => assertSafeSegments(['model', 'notes.txt'])).not.toThrow();
    expect(() => assertSafeSegments(['100%', '100%done.txt'])).not.toThrow();
  });

  it.each([
    [['model', '..', 'x'], 'Artifact path refused (\'..\' segment): "model/../x"'],
    [['model', 'a/../b'], 'Artifact path refused (\'/\' inside a segment): "model/a/../b"'],
    [['model', '%2e%2e'], 'Artifact path refused (percent-encoding left after decoding): "model/%2e%2e"'],
    [['model', 'a\\b'], 'Artifact path refused (backslash): "model/a\\\\b"'],
    [['model', ''], 'Artifact path refused (empty segment): "model/"'],
  ])('refuses %j, quoting the joined path', (segments, message) => {
    expect(refusal(() => assertSafeSegments(segments)).message).toBe(message);
  });
});

describe('splitRunArtifactPath', () => {
  it('splits a full mlflow-artifacts path', () => {
    const segments = parseArtifactPath(`13/${RUN}/artifacts/model/notes.txt`, { encoded: true });
    expect(splitRunArtifactPath(segments)).toEqual({ experimentId: '13', runId: RUN, path: ['model', 'notes.txt'] });
    expect(splitRunArtifactPath(['13', RUN, 'artifacts'])).toEqual({ experimentId: '13', runId: RUN, path: [] });
  });

  it.each([
    [['13', RUN]],
    [['13', RUN, 'other', 'x']],
    [['x13', RUN, 'artifacts']],
    [['13', RUN.toUpperCase(), 'artifacts']],
    [['13', RUN.slice(1), 'artifacts']],
  ])('refuses %j', (segments) => {
    expect(refusal(() => splitRunArtifactPath(segments)).code).toBe('INVALID_INPUT');
  });

  it.each([
    [['13', RUN], `Expected <experimentId>/<runId>/artifacts/..., got "13/${RUN}"`],
    [['13', RUN, 'other', 'x'], `Expected <experimentId>/<runId>/artifacts/..., got "13/${RUN}/other/x"`],
    [['x13', RUN, 'artifacts'], 'Invalid experiment id: "x13"'],
    [['13', RUN.toUpperCase(), 'artifacts'], `Invalid run id: "${RUN.toUpperCase()}"`],
  ])('says what is wrong with %j', (segments, message) => {
    expect(refusal(() => splitRunArtifactPath(segments)).message).toBe(message);
  });

  it('round-trips with artifactUri', () => {
    expect(artifactUri('13', RUN)).toBe(`mlflow-artifacts:/13/${RUN}/artifacts`);
    expect(refusal(() => artifactUri('../13', RUN)).message).toBe('Invalid experiment id: "../13"');
    expect(refusal(() => artifactUri('13', '../x')).message).toBe('Invalid run id: "../x"');
  });
});
