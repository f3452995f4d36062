import { boundedMessage, type ErrorCode } from '../../../shared/errors';
import { knownError } from '../../services/store/storage-errors';

export interface MlflowErrorBody {
  error_code: string;
  message: string;
}

const MLFLOW_CODES: Partial<Record<ErrorCode, { code: string; status: number }>> = {
  INVALID_INPUT: { code: 'INVALID_PARAMETER_VALUE', status: 400 },
  NOT_FOUND: { code: 'RESOURCE_DOES_NOT_EXIST', status: 404 },
  ALREADY_EXISTS: { code: 'RESOURCE_ALREADY_EXISTS', status: 400 },
  UNAUTHORIZED: { code: 'UNAUTHENTICATED', status: 401 },
  FORBIDDEN: { code: 'PERMISSION_DENIED', status: 403 },
  CONFLICT: { code: 'INVALID_STATE', status: 400 },
  TOO_LARGE: { code: 'INVALID_PARAMETER_VALUE', status: 413 },
  // 507, which MLflow clients do not retry: the request cannot succeed until space is freed.
  STORAGE_FULL: { code: 'RESOURCE_EXHAUSTED', status: 507 },
};

/** MLflow's error body and HTTP status for an error, as MLflow clients parse them. */
export function toMlflowError(error: unknown): { status: number; body: MlflowErrorBody } {
  const known = knownError(error);
  if (known) {
    const mapped = MLFLOW_CODES[known.code] ?? { code: 'INTERNAL_ERROR', status: 500 };
    return { status: mapped.status, body: { error_code: mapped.code, message: boundedMessage(known.message) } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: boundedMessage(message) } };
}
