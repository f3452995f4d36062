import type { ApprovalRequest, AuditEntry, GateResult, ModelFile, ModelFlavor, ModelLineage, ModelSource, ModelVersion } from '../../../shared/contract/registry';
import type { MetricValue } from '../../../shared/contract/tracking';
import type { AuditRow, RequestRow, VersionRow } from './registry-repository';

/** A version row as the contract has it; `aliases` are the model's aliases (those on this version are kept). */
export function toVersion(row: VersionRow, aliases: ReadonlyArray<{ alias: string; version: number }>): ModelVersion {
  const source: ModelSource =
    row.source_type === 'run' ? { type: 'run', runId: row.source_run_id ?? '', path: row.source_path } : { type: 'folder', path: row.source_path };
  return {
    name: row.model,
    version: row.version,
    source,
    storagePath: row.storage_path,
    files: JSON.parse(row.files) as ModelFile[],
    totalSize: row.total_size,
    flavor: row.flavor as ModelFlavor,
    flavors: JSON.parse(row.flavors) as string[],
    inputSchema: row.input_schema === null ? null : (JSON.parse(row.input_schema) as unknown),
    metrics: JSON.parse(row.metrics) as Record<string, MetricValue>,
    lineage: JSON.parse(row.lineage) as ModelLineage,
    stage: row.stage,
    aliases: aliases.filter((a) => a.version === row.version).map((a) => a.alias),
    gateStatus: row.gate_status,
    gates: JSON.parse(row.gate_results) as GateResult[],
    description: row.description,
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

export function toRequest(row: RequestRow): ApprovalRequest {
  return {
    requestId: row.request_id,
    name: row.model,
    version: row.version,
    targetStage: row.target_stage,
    requestedBy: row.requested_by,
    comment: row.comment,
    requestedAt: row.requested_at,
    status: row.status,
    reviewer: row.reviewer,
    reviewComment: row.review_comment,
    reviewedAt: row.reviewed_at,
  };
}

export function toAudit(row: AuditRow): AuditEntry {
  return {
    id: row.audit_id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    name: row.model,
    version: row.version,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
