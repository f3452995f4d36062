import { describe, expect, it, vi } from 'vitest';
import { RpcDispatcher } from '../../../electron/services/rpc/dispatcher';
import { OrreryError } from '../../../shared/errors';
import { fakeHandlers } from '../../fakes/fake-handlers';

describe('rpc dispatcher', () => {
  it('answers a known method with its result', async () => {
    const envelope = await new RpcDispatcher(fakeHandlers()).dispatch('app.getInfo', {});
    expect(envelope).toMatchObject({ ok: true, result: { name: 'Orrery', schemaVersion: 1 } });
  });

  it('treats a missing input as an empty object', async () => {
    expect(await new RpcDispatcher(fakeHandlers()).dispatch('app.getInfo', undefined)).toMatchObject({ ok: true });
  });

  it('refuses an unknown method with NOT_FOUND naming it', async () => {
    expect(await new RpcDispatcher(fakeHandlers()).dispatch('hardware.explode', {})).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: "Unknown method 'hardware.explode'." },
    });
  });

  it('refuses input that fails the schema, naming the field and the problem', async () => {
    const envelope = await new RpcDispatcher(fakeHandlers()).dispatch('hardware.getOverview', { verbose: true });
    expect(envelope.ok).toBe(false);
    if (envelope.ok) return;
    expect(envelope.error.code).toBe('INVALID_INPUT');
    expect(envelope.error.message).toMatch(/hardware\.getOverview/);
    expect(envelope.error.message).toMatch(/verbose/);
    const notAnObject = await new RpcDispatcher(fakeHandlers()).dispatch('app.getInfo', 42);
    expect(notAnObject).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/input: .*object/i) } });
  });

  it('passes a service error through with its code, and wraps anything else as INTERNAL', async () => {
    const log = vi.fn();
    const dispatcher = new RpcDispatcher(
      fakeHandlers({
        'hardware.getDocker': () => {
          throw new OrreryError('UNAVAILABLE', 'engine away');
        },
        'hardware.getSample': () => Promise.reject(new Error('disk on fire')),
      }),
      log,
    );
    expect(await dispatcher.dispatch('hardware.getDocker', {})).toEqual({ ok: false, error: { code: 'UNAVAILABLE', message: 'engine away' } });
    expect(await dispatcher.dispatch('hardware.getSample', {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'hardware.getSample failed: disk on fire' },
    });
    expect(log).toHaveBeenCalledOnce();
  });

  it('answers a name from before the verb convention as the method it became', async () => {
    const dispatcher = new RpcDispatcher(fakeHandlers({ 'training.listJobs': ({ status }) => [{ jobId: `listed ${status?.join(',') ?? 'all'}` }] as never }));
    expect(await dispatcher.dispatch('training.list', { status: ['queued', 'running'] })).toEqual({ ok: true, result: [{ jobId: 'listed queued,running' }] });
    expect(await dispatcher.dispatch('training.listJobs', {})).toEqual({ ok: true, result: [{ jobId: 'listed all' }] });
    // The old name's input is checked by the new method's schema; the error names the method as called.
    expect(await dispatcher.dispatch('training.list', { status: ['nope'] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^Invalid input for training\.list: /) },
    });
  });
});
