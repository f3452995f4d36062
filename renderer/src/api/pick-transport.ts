import { createClient, type OrreryClient, type Transport } from '../../../shared/client';
import { createHttpTransport } from '../../../shared/client/http-transport';
import { takeAccessToken, takePastedToken } from './token';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a plain browser. */
    orrery?: Transport;
  }
}

export type ClientChoice =
  | { kind: 'ready'; client: OrreryClient; mode: 'ipc' | 'http' }
  | { kind: 'no-token' };

function isTransport(value: unknown): value is Transport {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Transport, unknown>>;
  return typeof candidate.invoke === 'function' && typeof candidate.subscribe === 'function';
}

/** Electron's preload bridge when present, else HTTP to the server that served this page. */
export function pickClient(): ClientChoice {
  if (isTransport(window.orrery)) return { kind: 'ready', client: createClient(window.orrery), mode: 'ipc' };
  const token = takeAccessToken(window);
  if (!token) return { kind: 'no-token' };
  return httpClient(token);
}

function httpClient(token: string): ClientChoice {
  const transport = createHttpTransport({ token, log: (message) => console.warn(`[orrery] ${message}`) });
  return { kind: 'ready', client: createClient(transport), mode: 'http' };
}

/**
 * Follows tokens pasted into this tab's address bar (a restarted server prints a new one): each
 * becomes a new HTTP client, handed to `onClient`. Nothing to follow under Electron. Returns the stop function.
 */
export function watchPastedTokens(onClient: (choice: ClientChoice) => void): () => void {
  if (isTransport(window.orrery)) return () => undefined;
  const onHash = () => {
    const token = takePastedToken(window);
    if (token) onClient(httpClient(token));
  };
  window.addEventListener('hashchange', onHash);
  return () => window.removeEventListener('hashchange', onHash);
}
