import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { columnNamed, type ColumnTable } from '../../../electron/services/monitoring/data/column-table';
import { readTableChunks, readTableFile } from '../../../electron/services/monitoring/data/table-file';
import { profileTableFile } from '../../../electron/services/monitoring/profile/profile-file';
import { profileTable } from '../../../electron/services/monitoring/profile/reference-profile';
import { tempDir } from '../../helpers/temp-dir';

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(tempDir('orrery-table-'), name);
  fs.writeFileSync(file, content);
  return file;
}

function numbersOf(table: ColumnTable, name: string): number[] {
  return Array.from(columnNamed(table, name)!.numbers!);
}

function stringsOf(table: ColumnTable, name: string): (string | null)[] {
  return columnNamed(table, name)!.strings!;
}

describe('reading CSV', () => {
  it('reads quoted fields with delimiters, doubled quotes, newlines and CRLF endings, and infers kinds', async () => {
    const file = write('q.csv', '\uFEFFid,name,score\r\n1,"Smith, Jane",0.5\r\n2,"say ""hi""",1e3\r\n3,"two\nlines",-inf\r\n4,,nan\r\n');
    const table = await readTableFile(file);
    expect(table.rows).toBe(4);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['id', 'numeric'],
      ['name', 'categorical'],
      ['score', 'numeric'],
    ]);
    expect(stringsOf(table, 'name')).toEqual(['Smith, Jane', 'say "hi"', 'two\nlines', null]);
    expect(numbersOf(table, 'score')).toEqual([0.5, 1000, -Infinity, Number.NaN]);
  });

  it('sniffs ; and tab delimiters, and names a blank header cell as pandas does (an index column)', async () => {
    const semi = await readTableFile(write('s.csv', 'a;b\n1,5;x\n2;y\n'));
    expect(semi.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(stringsOf(semi, 'a')).toEqual(['1,5', '2']);
    const tab = await readTableFile(write('t.tsv', ',a\tb\tc\n0\t1\t2\n'));
    expect(tab.columns.map((c) => c.name)).toEqual([',a', 'b', 'c']);
    const indexed = await readTableFile(write('i.csv', ',x\n0,3\n1,4\n'));
    expect(indexed.columns.map((c) => c.name)).toEqual(['Unnamed: 0', 'x']);
  });

  it('turns a column categorical when any cell in the file is text, even far down, and honours given kinds', async () => {
    const lines = ['n,code'];
    for (let i = 0; i < 250_000; i++) lines.push(`${i},00${i % 7}`);
    lines.push('oops,007');
    const file = write('late.csv', `${lines.join('\n')}\n`);
    const chunks: ColumnTable[] = [];
    for await (const chunk of readTableChunks(file, { chunkRows: 100_000 })) chunks.push(chunk);
    expect(chunks.map((c) => c.rows)).toEqual([100_000, 100_000, 50_001]);
    expect(chunks.every((c) => c.columns[0]!.kind === 'categorical')).toBe(true);
    const given = await readTableFile(file, { kinds: new Map([['n', 'numeric'], ['code', 'categorical']]) });
    const n = columnNamed(given, 'n')!;
    expect(n.typeMismatches).toBe(1);
    expect(Number.isNaN(n.numbers![250_000])).toBe(true);
    // A categorical column keeps its text as written: "007" is not the number 7.
    expect(stringsOf(given, 'code').slice(0, 3)).toEqual(['000', '001', '002']);
    const limited = await readTableFile(file, { maxRows: 10 });
    expect(limited.rows).toBe(10);
    expect(limited.columns[0]!.kind).toBe('numeric');
  });

  it('streams a 20 MB CSV a chunk at a time, every row counted once', async () => {
    const file = path.join(tempDir('orrery-big-'), 'big.csv');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, 'a,b,c,d,e,f,g,h\n');
    const row = (i: number): string => `${i},${i * 0.5},${(i * 7) % 1000},cat${i % 13},${i % 3 ? 'x' : '"q,uoted"'},1.25e-3,-7,${i}\n`;
    let block = '';
    for (let i = 0; i < 20_000; i++) block += row(i);
    const copies = Math.ceil(20_000_000 / block.length);
    for (let i = 0; i < copies; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    let rows = 0;
    for await (const chunk of readTableChunks(file, { chunkRows: 200_000 })) rows += chunk.rows;
    expect(rows).toBe(copies * 20_000);
  }, 200_000);
});

describe('reading Parquet', () => {
  it('reads a snappy Parquet file (as pandas writes by default) with numeric, string, boolean and null cells', async () => {
    const file = path.join(tempDir('orrery-pq-'), 'ref.data');
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'x', data: new Float64Array([1.5, -2, 3e10, Number.POSITIVE_INFINITY]), type: 'DOUBLE' },
        { name: 'k', data: [1, 2, null, 4], type: 'INT32' },
        { name: 's', data: ['ä', null, 'b', 'ä'], type: 'STRING' },
        { name: 'flag', data: [true, false, true, null], type: 'BOOLEAN' },
      ],
      rowGroupSize: 3,
    });
    // The extension says nothing: the PAR1 magic does.
    const table = await readTableFile(file);
    expect(table.rows).toBe(4);
    expect(table.columns.map((c) => [c.name, c.kind])).toEqual([
      ['x', 'numeric'],
      ['k', 'numeric'],
      ['s', 'categorical'],
      ['flag', 'categorical'],
    ]);
    expect(numbersOf(table, 'x')).toEqual([1.5, -2, 3e10, Infinity]);
    expect(numbersOf(table, 'k')).toEqual([1, 2, Number.NaN, 4]);
    expect(stringsOf(table, 's')).toEqual(['ä', null, 'b', 'ä']);
    expect(stringsOf(table, 'flag')).toEqual(['true', 'false', 'true', null]);
    const chunks: number[] = [];
    for await (const chunk of readTableChunks(file, { chunkRows: 2 })) chunks.push(chunk.rows);
    expect(chunks).toEqual([2, 1, 1]);
    expect((await readTableFile(file, { maxRows: 3, kinds: new Map([['k', 'categorical']]) })).columns[1]!.strings).toEqual(['1', '2', null]);
  });
});

describe('bad input', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const blob = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) % 256);
  const cases: Array<[string, string, string | Uint8Array, RegExp]> = [
    ['a PNG', 'chart.csv', png, /chart\.csv: it is a PNG image, not a CSV or Parquet file/],
    ['a binary blob', 'blob.bin', blob, /blob\.bin: it holds binary data, not CSV text or Parquet/],
    ['an empty file', 'empty.csv', '', /empty\.csv: the file is empty/],
    ['blank lines only', 'blank.csv', '\n\n  \n', /blank\.csv: the file is empty/],
    ['a header with no rows', 'header.csv', 'a,b,c\n', /header\.csv: it has a header but no rows/],
    ['duplicate column names', 'dup.csv', 'a,b,a\n1,2,3\n', /dup\.csv: the header names column "a" twice/],
    ['a ragged row', 'ragged.csv', 'a,b\n1,2\n3,4\n5\n', /ragged\.csv: line 4 has 1 fields, but the header has 2/],
    ['an unclosed quote', 'quote.csv', 'a,b\n1,"open\n', /quote\.csv: line 2: a quoted field is never closed/],
    ['UTF-16 text', 'wide.csv', Uint8Array.from([0xff, 0xfe, 0x61, 0, 0x0a, 0]), /wide\.csv: it is UTF-16 text \(save it as UTF-8 CSV\), not a CSV or Parquet file/],
    ['Latin-1 text', 'latin.csv', Uint8Array.from([0x61, 0x0a, 0xe9, 0x0a]), /latin\.csv: it is not UTF-8 text/],
    ['a cut Parquet file', 'cut.parquet', Uint8Array.from([0x50, 0x41, 0x52, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 9]), /cut\.parquet: it starts as a Parquet file but is cut short/],
  ];
  for (const [what, name, content, message] of cases) {
    it(`refuses ${what} with a message naming the file`, async () => {
      await expect(readTableFile(write(name, content))).rejects.toThrow(message);
    });
  }

  it('refuses a Parquet file whose footer is garbage, and a missing file', async () => {
    const garbage = new Uint8Array(64).fill(7);
    garbage.set([0x50, 0x41, 0x52, 0x31], 0);
    garbage.set([0x50, 0x41, 0x52, 0x31], 60);
    await expect(readTableFile(write('junk.parquet', garbage))).rejects.toThrow(/junk\.parquet: its Parquet metadata is damaged/);
    await expect(readTableFile('/nonexistent/ref.csv')).rejects.toThrow(/\/nonexistent\/ref\.csv: no such file/);
  });
});

describe('profiling a file', () => {
  it('profiles a file streamed in chunks exactly as the whole table read at once', async () => {
    const lines = ['x,c'];
    for (let i = 0; i < 5_000; i++) lines.push(`${i % 10 === 0 ? '' : (i * 0.37) % 11},${['a', 'b', 'c'][i % 3]}`);
    const file = write('p.csv', `${lines.join('\n')}\n`);
    const streamed = await profileTableFile(file, { chunkRows: 777 });
    const whole = profileTable(await readTableFile(file));
    expect(streamed.rows).toBe(5_000);
    expect(streamed.columns.map((c) => [c.name, c.kind, c.missing, c.min, c.max])).toEqual(whole.columns.map((c) => [c.name, c.kind, c.missing, c.min, c.max]));
    expect(streamed.columns[0]!.mean).toBeCloseTo(whole.columns[0]!.mean!, 12);
    expect(streamed.columns[0]!.sample).toEqual(whole.columns[0]!.sample);
    expect(streamed.columns[1]!.sample).toEqual(whole.columns[1]!.sample);
  });
});

describe('files that are not regular files', () => {
  it('refuses a named pipe at once instead of waiting on it', async () => {
    const fifo = path.join(tempDir('orrery-fifo-'), 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await expect(readTableFile(fifo)).rejects.toThrow(/pipe\.csv: it is not a regular file/);
  });

  it('refuses a device such as /dev/zero', async () => {
    await expect(readTableFile('/dev/zero')).rejects.toThrow(/not a regular file/);
  });
});

describe('files that cannot be read whole', () => {
  it('refuses a record longer than 16 MB instead of holding it', async () => {
    const file = path.join(tempDir('orrery-long-line-'), 'one-line.csv');
    fs.writeFileSync(file, `a,b\n1,${'9'.repeat(17 * 1024 * 1024)}\n`);
    await expect(readTableFile(file)).rejects.toThrow(/one-line\.csv: .*a record is longer than 16 MB/);
  });

  it('refuses a file that changed while it was read (its rows would come from two files)', async () => {
    const file = path.join(tempDir('orrery-changing-'), 'growing.csv');
    fs.writeFileSync(file, 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i * 2}`).join('\n') + '\n');
    const read = async () => {
      for await (const chunk of readTableChunks(file, { chunkRows: 1000 })) {
        if (chunk.rows > 0) fs.appendFileSync(file, '9,9\n');
      }
    };
    await expect(read()).rejects.toThrow(/growing\.csv: the file changed while it was read/);
  });
});
