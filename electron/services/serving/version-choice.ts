import type { ModelVersionDetail } from '../../../shared/contract/registry';
import { invalid } from '../../../shared/errors';
import type { ModelVersionReader } from './ports';

export interface ChosenVersion {
  detail: ModelVersionDetail;
  version: number;
  /** How the user asked: "3" or "@champion". */
  requestedAs: string;
  approved: boolean;
}

/** Whether the registry holds an approved approval request for this version. */
export function isApproved(detail: Pick<ModelVersionDetail, 'approvals'>): boolean {
  return detail.approvals.some((request) => request.status === 'approved');
}

/**
 * A version given as a number or "@alias", resolved now and recorded (a later move of the alias
 * does not change what this deployment serves). Unknown models, versions and aliases are refused
 * with the registry's own NOT_FOUND message.
 */
export function chooseVersion(models: ModelVersionReader, model: string, ref: number | string, field = 'version'): ChosenVersion {
  let detail: ModelVersionDetail;
  let requestedAs: string;
  if (typeof ref === 'number' || /^\d+$/.test(ref)) {
    const number = typeof ref === 'number' ? ref : Number(ref);
    if (!Number.isSafeInteger(number) || number < 1) throw invalid(`${field}: must be a version number (1 or more) or @alias`);
    detail = models.getVersion(model, number);
    requestedAs = String(number);
  } else if (ref.startsWith('@') && ref.length > 1) {
    detail = models.getVersion(model, { alias: ref.slice(1) });
    requestedAs = ref;
  } else {
    throw invalid(`${field}: must be a version number or @alias, got ${JSON.stringify(ref)}`);
  }
  return { detail, version: detail.version, requestedAs, approved: isApproved(detail) };
}
