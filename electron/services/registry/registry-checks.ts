import { ALIAS_NAME, MODEL_NAME } from '../../../shared/contract/registry';
import { invalid } from '../../../shared/errors';

/** Who a registry action is recorded as when the caller names no one. */
export const DEFAULT_ACTOR = 'local';

export function checkName(name: string): void {
  if (!MODEL_NAME.test(name)) {
    throw invalid(`name: ${JSON.stringify(name)} is not a valid model name (letters, digits, '.', '_' or '-', starting with a letter or digit).`);
  }
}

export function checkAlias(alias: string): void {
  if (!ALIAS_NAME.test(alias) || alias.toLowerCase() === 'latest' || /^v\d+$/i.test(alias)) {
    throw invalid(`alias: ${JSON.stringify(alias)} is not a valid alias (letters, digits, '_' or '-'; not 'latest' or 'v<number>').`);
  }
}
