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

/** One event topic: its payload type carried as a phantom, like a method's result. */
export interface EventSpec<Payload> {
  /** Never set at run time; only its type matters. */
  readonly payload?: Payload;
  description: string;
}

export function event<Payload>(description: string): EventSpec<Payload> {
  return { description };
}

/** The payload type of each topic in a table of events. */
export type EventsOf<T extends Record<string, EventSpec<unknown>>> = { [K in keyof T]: T[K] extends EventSpec<infer P> ? P : never };
