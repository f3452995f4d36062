import type { ApprovalRequest, GateSpec, RegisteredModel } from '../../../shared/contract/registry';
import { conflict, OrreryError } from '../../../shared/errors';
import { describeFailures, gateStatus } from './gates';
import { checkName } from './registry-checks';
import type { RegistryRecords } from './registry-records';
import type { RegistryRepository, RequestRow } from './registry-repository';
import { toRequest } from './registry-rows';

/**
 * The way to Production: a model's validation gates, and approval requests that a reviewer
 * approves (only while the version passes its gates) or rejects. Every step is audited.
 */
export class VersionApprovals {
  constructor(
    private readonly repo: RegistryRepository,
    private readonly records: RegistryRecords,
  ) {}

  /** Replaces a model's gates (creating the model if it has no version yet) and re-evaluates its versions. */
  setGates(input: { name: string; gates: readonly GateSpec[]; actor: string }): RegisteredModel {
    const { repo, records } = this;
    checkName(input.name);
    repo.transaction(() => {
      const now = records.now();
      records.ensureModel(input.name, input.actor, now);
      repo.replaceGates(input.name, input.gates);
      for (const row of repo.versions(input.name)) {
        const results = records.evaluate(row);
        repo.setGateResults(row.model, row.version, gateStatus(results), JSON.stringify(results));
      }
      repo.touchModel(input.name, now);
      records.record(input.actor, 'gates.set', input.name, null, { gates: input.gates });
    });
    return records.getModel(input.name);
  }

  requestApproval(input: { name: string; version: number; actor: string; comment?: string }): ApprovalRequest {
    const { repo, records } = this;
    const id = repo.transaction(() => {
      const row = records.versionRow(input.name, input.version);
      if (row.stage === 'Production') throw conflict(`Version ${row.version} of model '${row.model}' is already in Production.`);
      const open = repo.requests(row.model, row.version).find((r) => r.status === 'open');
      if (open) throw conflict(`Version ${row.version} of model '${row.model}' already has an open approval request (${open.request_id}).`);
      const requestId = repo.insertRequest(row.model, row.version, input.actor, input.comment ?? '', records.now());
      records.record(input.actor, 'approval.request', row.model, row.version, { requestId, targetStage: 'Production', comment: input.comment ?? '' });
      return requestId;
    });
    const request = records.request(id);
    records.publishRef(request.name, request.version, 'approval');
    return request;
  }

  review(input: { requestId: number; decision: 'approve' | 'reject'; reviewer: string; comment?: string }): ApprovalRequest {
    const { repo, records } = this;
    repo.transaction(() => {
      const request = repo.request(input.requestId);
      if (!request) throw new OrreryError('NOT_FOUND', `No approval request ${input.requestId}`);
      const what = `version ${request.version} of model '${request.model}'`;
      if (request.status === 'rejected' && input.decision === 'approve') {
        throw conflict(
          `Approval request ${request.request_id} for ${what} was rejected by ${request.reviewer ?? 'a reviewer'}; a rejected request cannot be approved. Ask again with registry.requestApproval.`,
        );
      }
      if (request.status !== 'open') throw conflict(`Approval request ${request.request_id} for ${what} is already ${request.status}.`);
      if (input.decision === 'approve') {
        const results = records.evaluate(records.versionRow(request.model, request.version));
        if (results.some((r) => !r.passed)) {
          throw conflict(`The ${what} fails its gates (${describeFailures(results)}); it cannot be approved.`);
        }
      }
      const status = input.decision === 'approve' ? 'approved' : 'rejected';
      repo.review(request.request_id, status, input.reviewer, input.comment ?? '', records.now());
      records.record(input.reviewer, `approval.${status === 'approved' ? 'approve' : 'reject'}`, request.model, request.version, {
        requestId: request.request_id,
        comment: input.comment ?? '',
      });
    });
    const request = records.request(input.requestId);
    records.publishRef(request.name, request.version, 'approval');
    return request;
  }

  /**
   * Approve a version: its open request, or (for scripts and CI) a request opened and approved in
   * one recorded step. A version whose last request was rejected needs a new request first.
   */
  approve(input: { name: string; version: number; reviewer: string; comment?: string }): ApprovalRequest {
    const { repo, records } = this;
    const id = repo.transaction(() => {
      const row = records.versionRow(input.name, input.version);
      const requests = repo.requests(row.model, row.version);
      const open = requests.find((r) => r.status === 'open');
      if (open) return open.request_id;
      const what = `version ${row.version} of model '${row.model}'`;
      const last = requests.reduce<RequestRow | undefined>((latest, r) => (latest === undefined || r.request_id > latest.request_id ? r : latest), undefined);
      if (last?.status === 'approved') throw conflict(`The ${what} is already approved (request ${last.request_id}, by ${last.reviewer ?? 'a reviewer'}).`);
      if (last?.status === 'rejected') {
        throw conflict(
          `The ${what} was rejected by ${last.reviewer ?? 'a reviewer'} (request ${last.request_id}${last.review_comment ? `: ${last.review_comment}` : ''}); open a new approval request before approving it.`,
        );
      }
      if (row.stage === 'Production') throw conflict(`The ${what} is already in Production.`);
      const results = records.evaluate(row);
      if (results.some((r) => !r.passed)) throw conflict(`The ${what} fails its gates (${describeFailures(results)}); it cannot be approved.`);
      const now = records.now();
      const requestId = repo.insertRequest(row.model, row.version, input.reviewer, input.comment ?? '', now);
      repo.review(requestId, 'approved', input.reviewer, input.comment ?? '', now);
      records.record(input.reviewer, 'approval.approve', row.model, row.version, { requestId, comment: input.comment ?? '', openedAndApproved: true });
      return null;
    });
    if (id !== null) return this.review({ requestId: id, decision: 'approve', reviewer: input.reviewer, comment: input.comment ?? '' });
    const latest = repo.requests(input.name, input.version).reduce((a, b) => (b.request_id > a.request_id ? b : a));
    records.publishRef(input.name, input.version, 'approval');
    return toRequest(latest);
  }
}
