import type { ModelStage, ModelVersion, RegisteredModel } from '../../../shared/contract/registry';
import { conflict, OrreryError } from '../../../shared/errors';
import { describeFailures } from './gates';
import { checkAlias } from './registry-checks';
import type { RegistryRecords } from './registry-records';
import type { RegistryRepository } from './registry-repository';

/**
 * Stages as MLflow has them (one Production version per model, reached only with an approved
 * request and passing gates) and aliases that name one version each.
 */
export class StagesAndAliases {
  constructor(
    private readonly repo: RegistryRepository,
    private readonly records: RegistryRecords,
  ) {}

  setStage(input: { name: string; version: number; stage: ModelStage; archiveExisting: boolean; actor: string }): ModelVersion {
    const { repo, records } = this;
    const archived: number[] = [];
    repo.transaction(() => {
      const row = records.versionRow(input.name, input.version);
      if (row.stage === input.stage) return;
      const now = records.now();
      if (input.stage === 'Production') {
        const approved = repo.requests(row.model, row.version).some((r) => r.status === 'approved');
        if (!approved) {
          throw conflict(
            `Version ${row.version} of model '${row.model}' has no approved request for Production: ask with registry.requestApproval and have it approved first.`,
          );
        }
        const results = records.evaluate(row);
        if (results.some((r) => !r.passed)) {
          throw conflict(`Version ${row.version} of model '${row.model}' fails its gates (${describeFailures(results)}); it cannot go to Production.`);
        }
        const current = repo.productionVersion(row.model);
        if (current !== null) {
          if (!input.archiveExisting) {
            throw conflict(
              `Model '${row.model}' already has version ${current} in Production (one Production version per model): pass archiveExisting: true to archive it.`,
            );
          }
          repo.setStage(row.model, current, 'Archived', now);
          records.record(input.actor, 'stage.set', row.model, current, { from: 'Production', to: 'Archived', reason: `version ${row.version} promoted` });
          archived.push(current);
        }
      }
      repo.setStage(row.model, row.version, input.stage, now);
      repo.touchModel(row.model, now);
      records.record(input.actor, 'stage.set', row.model, row.version, { from: row.stage, to: input.stage, archived });
    });
    for (const version of archived) records.publish(records.getVersion(input.name, version), 'stage');
    const result = records.getVersion(input.name, input.version);
    records.publish(result, 'stage');
    return result;
  }

  setAlias(input: { name: string; alias: string; version: number; actor: string; move?: boolean }): ModelVersion {
    const { repo, records } = this;
    checkAlias(input.alias);
    repo.transaction(() => {
      const row = records.versionRow(input.name, input.version);
      const existing = repo.alias(row.model, input.alias);
      if (existing === row.version) return;
      if (existing !== undefined && !input.move) {
        throw new OrreryError(
          'ALREADY_EXISTS',
          `Alias '${input.alias}' of model '${row.model}' is already on version ${existing}: pass move: true to move it to version ${row.version}.`,
        );
      }
      repo.setAlias(row.model, input.alias, row.version);
      repo.touchModel(row.model, records.now());
      records.record(input.actor, 'alias.set', row.model, row.version, { alias: input.alias, previousVersion: existing ?? null });
    });
    const result = records.getVersion(input.name, input.version);
    records.publish(result, 'alias');
    return result;
  }

  deleteAlias(input: { name: string; alias: string; actor: string }): RegisteredModel {
    const { repo, records } = this;
    repo.transaction(() => {
      records.modelRow(input.name);
      const version = repo.alias(input.name, input.alias);
      if (version === undefined) throw new OrreryError('NOT_FOUND', `Model '${input.name}' has no alias '${input.alias}'`);
      repo.deleteAlias(input.name, input.alias);
      repo.touchModel(input.name, records.now());
      records.record(input.actor, 'alias.delete', input.name, version, { alias: input.alias });
    });
    return records.getModel(input.name);
  }
}
