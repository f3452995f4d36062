import { describe, expect, it } from 'vitest';
import { joinArgv, splitArgv } from '../../renderer/src/pages/launch/argv';

const ok = (text: string) => {
  const result = splitArgv(text);
  if (!result.ok) throw new Error(result.error);
  return result.argv;
};

describe('splitArgv', () => {
  it('splits on whitespace, any amount', () => {
    expect(ok('  python3   train.py\t--epochs 10 ')).toEqual(['python3', 'train.py', '--epochs', '10']);
    expect(ok('')).toEqual([]);
  });

  it('keeps quoted text together and drops the quotes', () => {
    expect(ok('python3 -c "import time; print(\'hi there\')"')).toEqual(['python3', '-c', "import time; print('hi there')"]);
    expect(ok('echo \'a "b" c\' d')).toEqual(['echo', 'a "b" c', 'd']);
    expect(ok('--name="my run"')).toEqual(['--name=my run']);
    expect(ok('a \'\' b ""')).toEqual(['a', '', 'b', '']);
  });

  it('honours backslashes outside quotes and the shell escapes inside double quotes', () => {
    expect(ok('a\\ b c')).toEqual(['a b', 'c']);
    expect(ok('"say \\"hi\\" \\\\ \\n"')).toEqual(['say "hi" \\ \\n']);
    expect(ok("'no \\escape'")).toEqual(['no \\escape']);
  });

  it('splits the e2e metrics command into python3, -c and the program', () => {
    const program = 'import time,json; [print(\'ORRERY_METRICS \'+json.dumps({\'step\':i,\'loss\':1/(i+1)}), flush=True) or time.sleep(0.2) for i in range(20)]';
    expect(ok(`python3 -c "${program}"`)).toEqual(['python3', '-c', program]);
  });

  it('refuses unclosed quotes and a trailing backslash', () => {
    expect(splitArgv('echo "oops')).toEqual({ ok: false, error: 'has an unclosed double quote' });
    expect(splitArgv("echo 'oops")).toEqual({ ok: false, error: 'has an unclosed single quote' });
    expect(splitArgv('echo \\')).toMatchObject({ ok: false });
  });

  it('round-trips through joinArgv', () => {
    const argv = ['python3', '-c', "print('x y')", '', 'plain', 'it\'s'];
    expect(ok(joinArgv(argv))).toEqual(argv);
  });
});
