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
  /**
   * `onLive`: called once when the app starts sending this subscription's events, if it had not
   * yet when `subscribe` returned (data read before that moment may have missed one). A transport
   * whose subscriptions reach the app ahead of any later call never calls it.
   */
  subscribe(topic: string, listener: (payload: unknown) => void, onLive?: () => void): () => void;
}

export interface OrreryClient {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  /** `onLive`: see Transport.subscribe; re-read there whatever was read alongside this call. */
  on<T extends EventTopic>(topic: T, listener: (payload: EventMap[T]) => void, onLive?: () => void): () => void;
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
    on(topic, listener, onLive) {
      return transport.subscribe(topic, listener as (payload: unknown) => void, onLive);
    },
  };
}
