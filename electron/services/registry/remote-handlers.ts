import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import type { RemoteRegistries } from './remote-registries';

type RemoteHandlers = Pick<Handlers, Extract<keyof Handlers, `remotes.${string}`>>;

/** Settings' remote registries as RPC methods; each change is announced so other windows re-read. */
export function remoteHandlers(remotes: RemoteRegistries, bus: Pick<EventBus, 'publish'>): RemoteHandlers {
  return {
    'remotes.list': () => remotes.list(),
    'remotes.save': (input) => {
      const saved = remotes.save(input);
      bus.publish('remotes.changed', { name: saved.name, change: 'saved' });
      return saved;
    },
    'remotes.delete': ({ name }) => {
      const deleted = remotes.delete(name);
      bus.publish('remotes.changed', { name, change: 'deleted' });
      return deleted;
    },
  };
}
