import type { Handlers } from '../rpc/handlers';
import type { ModelRegistryService } from './model-registry-service';

type RegistryHandlers = Pick<Handlers, Extract<keyof Handlers, `registry.${string}`>>;

/** The registry's RPC methods: a thin mapping onto the service. */
export function registryHandlers(registry: ModelRegistryService): RegistryHandlers {
  return {
    'registry.listModels': () => registry.listModels(),
    'registry.getModel': ({ name }) => registry.getModel(name),
    'registry.getVersion': ({ name, version, alias }) => registry.getVersion(name, version ?? { alias: alias ?? '' }),
    'registry.registerFromRun': (input) => registry.registerFromRun(input),
    'registry.registerFromFolder': (input) => registry.registerFromFolder(input),
    'registry.setStage': (input) => registry.setStage(input),
    'registry.setAlias': (input) => registry.setAlias(input),
    'registry.deleteAlias': (input) => registry.deleteAlias(input),
    'registry.setGates': (input) => registry.setGates(input),
    'registry.requestApproval': (input) => registry.requestApproval(input),
    'registry.review': (input) => registry.review(input),
    'registry.approve': (input) => registry.approve(input),
    'registry.push': (input) => registry.push(input),
    'registry.pull': (input) => registry.pull(input),
    'registry.listAudit': ({ name, limit }) => registry.auditLog(name, limit),
  };
}
