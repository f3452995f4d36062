import { describe, expect, it } from 'vitest';
import { loggedInputs, loggedPredictions } from '../../../electron/services/serving/logged-rows';
import type { RequestLogRow } from '../../../electron/services/serving/request-log-repository';
import { RequestLogWriter } from '../../../electron/services/serving/request-log-writer';
import type { RequestObservation } from '../../../electron/services/serving/serving-routes';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const whole = (contentType: string, body: Buffer, maxRows = 1000) => loggedInputs(contentType, body, body.length, maxRows);

describe('request log: input rows by the MLflow scoring protocol', () => {
  const expected = [
    { a: 1, b: 'x' },
    { a: 2, b: 'y' },
  ];

  it('reads each JSON form as records', () => {
    expect(whole('application/json', json({ dataframe_split: { columns: ['a', 'b'], data: [[1, 'x'], [2, 'y']] } }))).toEqual({ rows: expected, rowCount: 2, truncated: false });
    expect(whole('application/json', json({ dataframe_split: { index: [5, 6], columns: ['a', 'b'], data: [[1, 'x'], [2, 'y']] }, params: { k: 1 } })).rows).toEqual(expected);
    expect(whole('application/json', json({ dataframe_records: expected }))).toEqual({ rows: expected, rowCount: 2, truncated: false });
    expect(whole('application/json', json({ instances: expected })).rows).toEqual(expected);
    expect(whole('application/json', json({ instances: [[1, 2], [3, 4], [5, 6]] }))).toEqual({
      rows: [
        { 0: 1, 1: 2 },
        { 0: 3, 1: 4 },
        { 0: 5, 1: 6 },
      ],
      rowCount: 3,
      truncated: false,
    });
    expect(whole('application/json', json({ inputs: { a: [1, 2], b: ['x', 'y'] } }))).toEqual({ rows: expected, rowCount: 2, truncated: false });
    expect(whole('application/json', json({ inputs: [[0.5, 1.5]] })).rows).toEqual([{ 0: 0.5, 1: 1.5 }]);
  });

  it('reads text/csv with a header, quoted fields and numbers', () => {
    const csv = Buffer.from('a,b,"c, d"\n1,x,"say ""hi"""\n2.5,,-3e2\n');
    expect(whole('text/csv; charset=utf-8', csv)).toEqual({
      rows: [
        { a: 1, b: 'x', 'c, d': 'say "hi"' },
        { a: 2.5, b: null, 'c, d': -300 },
      ],
      rowCount: 2,
      truncated: false,
    });
  });

  it('keeps the first rows of a body cut at the cap, estimates its row count and marks it truncated', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [i, i * 2, 'label']);
    for (const body of [json({ dataframe_split: { columns: ['a', 'b', 'c'], data: rows } }), json({ instances: rows }), json({ dataframe_records: rows.map(([a, b, c]) => ({ a, b, c })) })]) {
      const cut = body.subarray(0, Math.floor(body.length / 4));
      const logged = loggedInputs('application/json', cut, body.length, 100);
      expect(logged.truncated).toBe(true);
      expect(logged.rows).toHaveLength(100);
      expect(Object.values(logged.rows![99]!)).toEqual([99, 198, 'label']);
      expect(logged.rowCount).toBeGreaterThan(900);
      expect(logged.rowCount).toBeLessThan(1100);
    }
    const csv = Buffer.from('a,b\n' + rows.map(([a, b]) => `${a},${b}`).join('\n'));
    const cutCsv = loggedInputs('text/csv', csv.subarray(0, csv.length / 2), csv.length, 10);
    expect(cutCsv.rows![9]).toEqual({ a: 9, b: 18 });
    expect(cutCsv.truncated).toBe(true);
    expect(Math.abs(cutCsv.rowCount - 1000)).toBeLessThan(100);
  });

  it('counts rows over the per-request cap exactly when the body is whole, and gives null rows for unreadable bodies', () => {
    expect(whole('application/json', json({ instances: Array.from({ length: 50 }, (_, i) => [i]) }), 10)).toMatchObject({ rowCount: 50, truncated: true, rows: expect.any(Array) });
    expect(whole('application/json', Buffer.from('not json')).rows).toBeNull();
    expect(whole('application/json', json({ other: 1 })).rows).toBeNull();
  });

  it('reads predictions, whole or cut', () => {
    const all = Array.from({ length: 500 }, (_, i) => i % 3);
    const answer = json({ predictions: all });
    expect(loggedPredictions(answer, answer.length, 1000)).toEqual(all);
    expect(loggedPredictions(answer, answer.length, 10)).toEqual(all.slice(0, 10));
    const cut = loggedPredictions(answer.subarray(0, 200), answer.length, 1000) as number[];
    expect(cut.length).toBeGreaterThan(50);
    expect(cut).toEqual(all.slice(0, cut.length));
    expect(loggedPredictions(json({ predictions: [{ label: 1, p: 0.9 }] }), 29, 10)).toEqual([{ label: 1, p: 0.9 }]);
    expect(loggedPredictions(Buffer.from('{"error_code": "BAD_REQUEST"}'), 29, 10)).toBeNull();
  });
});

function observation(i: number, more: Partial<RequestObservation> = {}): RequestObservation {
  const body = json({ instances: [[i, i + 1]] });
  const answer = json({ predictions: [i] });
  return {
    deployment: 'iris',
    version: 1,
    replicaId: 'r1',
    requestId: `req-${i}`,
    at: 1000 + i,
    status: 200,
    latencyMs: 3,
    modelError: false,
    upstreamFailure: false,
    request: { contentType: 'application/json', body, bytes: body.length },
    response: { body: answer, bytes: answer.length },
    ...more,
  };
}

describe('request log writer', () => {
  it('writes queued observations as rows in one batch after the interval', async () => {
    const batches: RequestLogRow[][] = [];
    const writer = new RequestLogWriter({ insertBatch: (rows) => void batches.push([...rows]) }, { flushIntervalMs: 20 });
    for (let i = 0; i < 3; i++) expect(writer.enqueue(observation(i))).toBe(true);
    expect(writer.enqueue(observation(9, { request: undefined }))).toBe(false);
    expect(batches).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(batches).toHaveLength(1);
    expect(batches[0]![2]).toEqual({
      deployment: 'iris',
      at: 1002,
      version: 1,
      replicaId: 'r1',
      status: 200,
      latencyMs: 3,
      requestId: 'req-2',
      modelError: false,
      rowCount: 1,
      truncated: false,
      inputs: '[{"0":2,"1":3}]',
      predictions: '[2]',
    });
    writer.close();
  });

  it('keeps no predictions from an error answer, and marks model errors', () => {
    const writer = new RequestLogWriter({ insertBatch: () => {} });
    const row = writer.toRow(observation(1, { status: 400, modelError: true, response: { body: Buffer.from('{"error_code":"BAD_REQUEST"}'), bytes: 28 } }));
    expect(row).toMatchObject({ status: 400, modelError: true, predictions: null, inputs: '[{"0":1,"1":2}]' });
  });

  it('drops and counts when the queue is full, and when a batch cannot be written', () => {
    const failures: unknown[] = [];
    let fail = false;
    const written: RequestLogRow[] = [];
    const writer = new RequestLogWriter(
      {
        insertBatch: (rows) => {
          if (fail) throw new Error('disk full');
          written.push(...rows);
        },
      },
      { maxQueue: 5, flushItems: 1000, onError: (e) => failures.push(e) },
    );
    for (let i = 0; i < 8; i++) writer.enqueue(observation(i));
    expect(writer.dropped).toBe(3);
    expect(writer.flush()).toBe(5);
    fail = true;
    writer.enqueue(observation(10));
    expect(writer.flush()).toBe(0);
    expect(writer.dropped).toBe(4);
    expect(failures).toHaveLength(1);
    expect(written.map((r) => r.requestId)).toEqual(['req-0', 'req-1', 'req-2', 'req-3', 'req-4']);
  });
});
