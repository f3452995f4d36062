import type { z } from 'zod';

/** One API method: its input schema, and its result type carried as a phantom. */
export interface MethodSpec<In extends z.ZodType, Out> {
  input: In;
  /** Never set at run time; only its type matters. */
  readonly result?: Out;
  description: string;
}

export function method<Out>() {
  return <In extends z.ZodType>(input: In, description: string): MethodSpec<In, Out> => ({ input, description });
}
