import type { CallFailureWording } from '../../shared/client/call-failure';

/** A terminal may talk to any Orrery on the machine, so its messages say which one failed. */
export function terminalWording(url: string): CallFailureWording {
  return (failure) =>
    failure.kind === 'unreachable'
      ? `The Orrery at ${url} stopped answering (${failure.detail}).`
      : `The Orrery at ${url} answered ${failure.method} with HTTP ${failure.status} and no result: ${failure.text.slice(0, 200)}`;
}
