import { describe, expect, it, vi } from 'vitest';
import { RpcDispatcher } from '../../../electron/services/rpc/dispatcher';
import { OrreryError } from '../../../shared/errors';
import { fakeHandlers } from '../../helpers/fake-handlers';

describe('rpc dispatcher', () => {
  it('answers a known method with its result', async () => {
    const envelope = await new RpcDispatcher(fakeHandlers()).dispatch('app.info', {});
    expect(envelope).toMatchObject({ ok: true, result: { name: 'Orrery', schemaVersion: 1 } });
  });

  it('treats a missing input as an empty object', async () => {
    expect(await new RpcDispatcher(fakeHandlers()).dispatch('app.info', undefined)).toMatchObject({ ok: true });
  });

  it('refuses an unknown method with NOT_FOUND naming it', async () => {
    expect(await new RpcDispatcher(fakeHandlers()).dispatch('hardware.explode', {})).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: "Unknown method 'hardware.explode'." },
    });
  });

  it('refuses input that fails the schema, naming the field and the problem', async () => {
    const envelope = await new RpcDispatcher(fakeHandlers()).dispatch('hardware.overview', { verbose: true });
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('INVALID_INPUT');
    expect(envelope.error.message).toMatch(/hardware\.overview/);
    expect(envelope.error.message).toMatch(/verbose/);
    const notAnObject = await new RpcDispatcher(fakeHandlers()).dispatch('app.info', 42);
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/input: .*object/i) } });
  });

  it('passes a service error through with its code, and wraps anything else as INTERNAL', async () => {
    const log = vi.fn();
    const dispatcher = new RpcDispatcher(
      fakeHandlers({
        'hardware.docker': () => {
          throw new OrreryError('UNAVAILABLE', 'engine away');
        },
        'hardware.sample': () => Promise.reject(new Error('disk on fire')),
      }),
      log,
    );
    expect(await dispatcher.dispatch('hardware.docker', {})).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'engine away' } });
    expect(await dispatcher.dispatch('hardware.sample', {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'hardware.sample failed: disk on fire' },
    });
    expect(log).toHaveBeenCalledOnce();
  });
});
