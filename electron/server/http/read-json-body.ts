import type { IncomingMessage } from 'node:http';
import { OrreryError } from '../../../shared/errors';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Reads a JSON request body (RPC and MLflow alike); an empty body reads as {} so argument-less calls need none. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new OrreryError('TOO_LARGE', `Request body is larger than ${limit} bytes.`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    throw new OrreryError('INVALID_INPUT', `Request body is not valid JSON. Malformed JSON: ${(error as Error).message}`);
  }
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new OrreryError('INVALID_INPUT', `Request body nests JSON arrays and objects more than ${MAX_JSON_DEPTH} levels deep.`);
  }
  return value;
}
