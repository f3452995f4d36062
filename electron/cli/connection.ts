import fs from 'node:fs';
import path from 'node:path';
import { createClient, type OrreryClient, type Transport } from '../../shared/client';
import { createHttpTransport } from '../../shared/client/http-transport';
import { isEventTopic } from '../../shared/contract/index';
import { OrreryError } from '../../shared/errors';
import { composeApp, type App } from '../services/compose';
import { readServerInfo, SERVER_INFO_FILE, type ServerInfo } from '../server/server-info-file';
import { startOrreryAdvice, type DataDirSource } from './data-dir-check';
import { terminalWording } from './terminal-wording';

export interface CliConnection {
  client: OrreryClient;
  /** 'server': the running app over HTTP; 'store': the store opened in this process. */
  via: 'server' | 'store';
  close(): void;
}

const HEALTH_TIMEOUT_MS = 3000;

/**
 * Reaches the app for one command: the running Orrery named in `<dataDir>/server.json` when it
 * answers, else the store itself, opened without the training queue. Both go through the same
 * dispatcher, so input checks and errors are the same either way.
 */
export async function connect(dataDir: string): Promise<CliConnection> {
  const info = readServerInfo(dataDir);
  if (info && (await answers(info.url))) return serverConnection(info);
  let app: App;
  try {
    app = composeApp({ dataDir, mode: 'headless', training: false, sweepLeftovers: false });
  } catch (error) {
    if (error instanceof OrreryError && error.code === 'CONFLICT') {
      const why = info ? `its server at ${info.url} (from ${SERVER_INFO_FILE}) does not answer` : (serverInfoProblem(dataDir) ?? `there is no ${SERVER_INFO_FILE} to reach it by`);
      throw new OrreryError('CONFLICT', `${error.message} The command line cannot reach that Orrery: ${why}.`);
    }
    throw error;
  }
  return { client: createClient(inProcessTransport(app)), via: 'store', close: () => app.close() };
}

/**
 * Reaches the running Orrery only, for commands that mean nothing without it: deployments are
 * served by the running app (its gateway and replicas), jobs run by its queue, so `orrery deploy`
 * and `orrery jobs` never open the store. `needs` says why, in the message when none answers;
 * `source` (where the data dir came from) picks how that message says to start one.
 */
export async function connectToRunning(dataDir: string, options: { needs?: string; source?: DataDirSource } = {}): Promise<CliConnection> {
  const { needs = 'Deployments are served by a running Orrery', source = 'default' } = options;
  const info = readServerInfo(dataDir);
  if (info && (await answers(info.url))) return serverConnection(info);
  const why = info ? `its server at ${info.url} (from ${SERVER_INFO_FILE}) does not answer` : (serverInfoProblem(dataDir) ?? `there is no ${SERVER_INFO_FILE} in it`);
  throw new OrreryError('UNAVAILABLE', `No Orrery is running on the data dir ${dataDir} (${why}). ${needs}: ${startOrreryAdvice(dataDir, source)}, then try again.`);
}

/** Why `<dataDir>/server.json` gave no server when it is there: unreadable, or not what a running Orrery writes; null when there is none. */
export function serverInfoProblem(dataDir: string): string | null {
  const file = path.join(dataDir, SERVER_INFO_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? null : `its ${SERVER_INFO_FILE} cannot be read (${code ?? (error as Error).message})`;
  }
  try {
    JSON.parse(text);
  } catch (error) {
    return `its ${SERVER_INFO_FILE} cannot be parsed (${(error as Error).message}); a running Orrery rewrites it when it starts`;
  }
  return `its ${SERVER_INFO_FILE} has no server url and token; a running Orrery rewrites it when it starts`;
}

function serverConnection(info: ServerInfo): CliConnection {
  const transport = createHttpTransport({ baseUrl: info.url, token: info.token, wording: terminalWording(info.url) });
  return { client: createClient(transport), via: 'server', close: () => undefined };
}

/** Calls go through JSON both ways, as they would over HTTP. */
function inProcessTransport(app: App): Transport {
  const viaJson = <T>(value: T): T => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T));
  return {
    invoke: async (method, input) => viaJson(await app.dispatcher.dispatch(method, viaJson(input ?? {}))),
    subscribe: (topic, listener) => (isEventTopic(topic) ? app.bus.subscribe(topic, listener) : () => undefined),
  };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    const body = (await response.json()) as { ok?: unknown };
    return response.ok && body.ok === true;
  } catch {
    return false;
  }
}
