import { contract, isMethodName, resolveMethodName } from '../../../shared/contract/index';
import { OrreryError, type Envelope } from '../../../shared/errors';
import { knownError } from '../store/storage-errors';
import { formatZodError } from './format-zod-error';
import type { Handlers } from './handlers';

/**
 * The one place a call is checked and run, whichever transport brought it:
 * unknown method, bad input and failures all come back as an error envelope.
 */
export class RpcDispatcher {
  constructor(
    private readonly handlers: Handlers,
    private readonly log: (message: string, error: unknown) => void = (message, error) => console.error(message, error),
  ) {}

  async dispatch(name: string, rawInput: unknown): Promise<Envelope<unknown>> {
    const method = resolveMethodName(name);
    if (!isMethodName(method)) {
      return failure(new OrreryError('NOT_FOUND', `Unknown method '${name}'.`));
    }
    const parsed = contract[method].input.safeParse(rawInput ?? {});
    if (!parsed.success) {
      // Named as the caller named it: an old name's caller knows no other.
      return failure(new OrreryError('INVALID_INPUT', `Invalid input for ${name}: ${formatZodError(parsed.error)}`));
    }
    try {
      const handler = this.handlers[method] as (input: unknown) => unknown;
      return { ok: true, result: await handler(parsed.data) };
    } catch (error) {
      const known = knownError(error);
      if (known) return failure(known);
      this.log(`[rpc] ${name} failed:`, error);
      const message = error instanceof Error ? error.message : String(error);
      return failure(new OrreryError('INTERNAL', `${name} failed: ${message}`));
    }
  }
}

function failure(error: OrreryError): Envelope<never> {
  return { ok: false, error: error.toBody() };
}
