/**
 * The monitoring worker's entry (bundled to dist/workers/monitoring-worker.cjs): it answers the
 * main thread's requests one message at a time, so a check of a million rows never blocks the
 * app's event loop, its charts or its API.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { OrreryError } from '../../../../shared/errors';
import type { ColumnPeer } from './column-split';
import { ComputeHandler } from './compute-handler';
import type { ComputeAnswer, ComputeRequest } from './compute-protocol';
import { WorkerCompute } from './monitoring-compute';

/**
 * Started as the 'main' worker (WorkerCompute passes its own script and role), this thread gets a
 * peer thread of the same script, started on the first check large enough to split, for half of
 * that check's columns: the app's checks use both cores while its own thread stays free.
 */
function peerThread(): ColumnPeer | null {
  const data = workerData as { script?: unknown; role?: unknown } | null;
  if (data?.role !== 'main' || typeof data.script !== 'string') return null;
  const compute = new WorkerCompute(data.script, 'peer');
  return {
    check: (profile, table, options, transfer) => compute.run({ type: 'check-part', profile, table, options }, transfer),
    profileChunk: (stream, table, kinds, finish, transfer) => compute.run({ type: 'profile-chunk', stream, table, kinds, finish }, transfer),
  };
}

const handler = new ComputeHandler(peerThread());
const port = parentPort;
if (!port) throw new Error('the monitoring worker must run as a worker thread');

port.on('message', (message: { id: number; request: ComputeRequest }) => {
  void answer(message.id, message.request).then((reply) => port.postMessage(reply, transferables(reply)));
});

async function answer(id: number, request: ComputeRequest): Promise<ComputeAnswer> {
  try {
    return { id, ok: true, result: await handler.handle(request) };
  } catch (error) {
    const code = error instanceof OrreryError ? error.code : 'INTERNAL';
    return { id, ok: false, error: { code, message: error instanceof Error ? error.message : String(error) } };
  }
}

/** A profile's bytes move to the main thread instead of being copied. */
function transferables(reply: ComputeAnswer): ArrayBuffer[] {
  if (!reply.ok) return [];
  const profile = (reply.result as { profile?: unknown } | null)?.profile;
  return profile instanceof Uint8Array && profile.buffer instanceof ArrayBuffer && profile.byteLength === profile.buffer.byteLength ? [profile.buffer] : [];
}
