import type { Handlers } from '../rpc/handlers';
import type { RemoteRegistries } from './remote-registries';

type RemoteHandlers = Pick<Handlers, Extract<keyof Handlers, `remotes.${string}`>>;

/** Settings' remote registries as RPC methods. */
export function remoteHandlers(remotes: RemoteRegistries): RemoteHandlers {
  return {
    'remotes.list': () => remotes.list(),
    'remotes.save': (input) => remotes.save(input),
    'remotes.delete': ({ name }) => remotes.delete(name),
  };
}
