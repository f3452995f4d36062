import path from 'node:path';
import type Database from 'better-sqlite3';
import type { EventBus } from '../events/event-bus';
import type { Handlers } from '../rpc/handlers';
import type { LeftoverSweep } from '../store/crash-leftovers';
import { ModelRegistryService } from './model-registry-service';
import { dockerConfigCredentials } from './oci/credentials';
import { FileUploadStateStore, OciClient } from './oci/oci-client';
import type { RunArtifactsReader, RunInfoReader } from './ports';
import { registryHandlers } from './registry-handlers';
import { RegistryRepository } from './registry-repository';
import { remoteHandlers } from './remote-handlers';
import { RemoteRegistries } from './remote-registries';
import { RemoteRegistryRepository } from './remote-registry-repository';

export interface RegistryAreaDeps {
  db: Database.Database;
  bus: EventBus;
  dataDir: string;
  /** The runs versions are registered from (the tracking area's service). */
  runs: RunInfoReader;
  /** Their artifact folders (the tracking area's artifact store). */
  artifacts: RunArtifactsReader;
}

export interface RegistryArea {
  service: ModelRegistryService;
  handlers: Pick<Handlers, Extract<keyof Handlers, `registry.${string}` | `remotes.${string}`>>;
  /** The start-up sweep of what a crashed registration or pull left behind. */
  sweepLeftovers: LeftoverSweep;
  close(): void;
}

/** The model registry and the remote registries of settings, with their RPC methods. */
export function createRegistry(deps: RegistryAreaDeps): RegistryArea {
  // One upload-state file for the data dir, so an interrupted push resumes where it stopped.
  const uploadStateStore = new FileUploadStateStore(path.join(deps.dataDir, 'registry-uploads.json'));
  const credentials = dockerConfigCredentials();
  const remotes = new RemoteRegistries(new RemoteRegistryRepository(deps.db));
  const service = new ModelRegistryService({
    repository: new RegistryRepository(deps.db),
    tracking: deps.runs,
    artifacts: deps.artifacts,
    dataDir: deps.dataDir,
    bus: deps.bus,
    remotes,
    ociClient: () => new OciClient({ credentials, uploadStateStore }),
  });
  return {
    service,
    handlers: { ...registryHandlers(service), ...remoteHandlers(remotes, deps.bus) },
    sweepLeftovers: (stopped) => service.sweepLeftovers(stopped),
    close() {},
  };
}
