import { describe, expect, it } from 'vitest';
import { createHttpTransport } from '../../shared/client/http-transport';
import { terminalWording } from '../../electron/cli/terminal-wording';
import { fakeServer } from '../fakes/fake-event-server';

const URL = 'http://127.0.0.1:4780';

function transportFor(server: ReturnType<typeof fakeServer>) {
  return createHttpTransport({ baseUrl: URL, token: 't', fetch: server.fetch, wording: terminalWording(URL) });
}

async function failureOf(server: ReturnType<typeof fakeServer>) {
  const envelope = await transportFor(server).invoke('registry.list', {});
  if (envelope.ok) throw new Error('expected a failure');
  return envelope.error;
}

describe('the command line names the Orrery it could not use', () => {
  it("says which server stopped answering, with Node's reason from the error's cause", async () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const server = fakeServer(() => Promise.reject(refused));
    expect(await failureOf(server)).toEqual({ code: 'UNAVAILABLE', message: `The Orrery at ${URL} stopped answering (ECONNREFUSED).` });
    expect(server.calls[0]?.url).toBe(`${URL}/api/rpc/registry.list`);
  });

  it('quotes the start of an answer that carries no envelope', async () => {
    const page = `<html>${'x'.repeat(300)}</html>`;
    const error = await failureOf(fakeServer(() => new Response(page, { status: 502 })));
    expect(error.message).toBe(`The Orrery at ${URL} answered registry.list with HTTP 502 and no result: ${page.slice(0, 200)}`);
    expect(error.code).toBe('UNAVAILABLE');
    const notEnvelope = await failureOf(fakeServer(() => Response.json({ ok: false }, { status: 200 })));
    expect(notEnvelope).toEqual({ code: 'INTERNAL', message: `The Orrery at ${URL} answered registry.list with HTTP 200 and no result: {"ok":false}` });
  });
});
