import type { IncomingMessage } from 'node:http';
import { OrreryError } from '../../../shared/errors';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Reads a JSON request body (RPC and MLflow alike); an empty body reads as {} so argument-less calls need none. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new OrreryError('INVALID_INPUT', `Request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new OrreryError('INVALID_INPUT', `Request body is not valid JSON. Malformed JSON: ${(error as Error).message}`);
  }
}
