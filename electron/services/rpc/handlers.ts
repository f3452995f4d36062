import type { MethodName, MethodResult, ParsedInput } from '../../../shared/contract/index';

/** The implementation of every contract method; the compiler insists none is missing. */
export type Handlers = {
  [M in MethodName]: (input: ParsedInput<M>) => Promise<MethodResult<M>> | MethodResult<M>;
};
