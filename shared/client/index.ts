import type { Envelope } from '../errors';
import { OrreryError, isErrorCode } from '../errors';
import type { EventMap, EventTopic, MethodInput, MethodName, MethodResult } from '../contract/index';

/**
 * What a transport provides: raw calls that answer with an envelope, and event subscriptions.
 * Electron's preload exposes one over IPC; the page in a browser and the command line make one
 * over HTTP (http-transport.ts in this folder).
 */
export interface Transport {
  invoke(method: string, input: unknown): Promise<Envelope<unknown>>;
  subscribe(topic: string, listener: (payload: unknown) => void): () => void;
}

export interface OrreryClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  on<T extends EventTopic>(topic: T, listener: (payload: EventMap[T]) => void): () => void;
}

/** Wraps a transport in the typed client; errors come back as data and are re-thrown here. */
export function createClient(transport: Transport): OrreryClient {
  return {
    async call(method, input) {
      const envelope = await transport.invoke(method, input);
      if (envelope.ok) return envelope.result as never;
      const code = isErrorCode(envelope.error.code) ? envelope.error.code : 'INTERNAL';
      throw new OrreryError(code, envelope.error.message);
    },
    on(topic, listener) {
      return transport.subscribe(topic, listener as (payload: unknown) => void);
    },
  };
}
