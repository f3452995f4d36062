import { z } from 'zod';
import { event, method, type EventsOf } from './define';

/** A remote OCI registry the team pushes models to, configured in settings. */
export interface RemoteRegistry {
  /** What the user calls it: "team", "ghcr". */
  name: string;
  /** `https://host[:port]`; `http://` only for localhost. */
  url: string;
  /** host[:port], as references spell it. */
  host: string;
  /** Repositories go under this path: `<host>/<prefix>/<model>`; '' for none. */
  repositoryPrefix: string;
  createdAt: number;
  updatedAt: number;
}

export const REMOTE_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

const remoteName = z.string().regex(REMOTE_NAME, "must be lowercase letters, digits, '_' or '-' (at most 63), starting with a letter or digit");

export const remoteMethods = {
  'remotes.list': method<RemoteRegistry[]>()(z.object({}).strict(), 'Configured remote registries, by name.'),
  'remotes.save': method<RemoteRegistry>()(
    z
      .object({
        name: remoteName,
        url: z.string().trim().min(1, 'must be the registry URL, like https://ghcr.io or http://localhost:5000').max(500),
        repositoryPrefix: z.string().trim().max(200).default(''),
      })
      .strict(),
    'Add a remote registry, or change the one with this name.',
  ),
  'remotes.delete': method<{ deleted: string }>()(z.object({ name: remoteName }).strict(), 'Forget a remote registry (nothing is deleted on the registry).'),
};

/** A remote registry was added, changed or forgotten (Settings in another window, a script). */
export interface RemoteChangedEvent {
  name: string;
  change: 'saved' | 'deleted';
}

export const remoteEvents = {
  'remotes.changed': event<RemoteChangedEvent>('A remote registry was saved or deleted'),
};
export type RemoteEvents = EventsOf<typeof remoteEvents>;
