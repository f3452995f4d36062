import type { z } from 'zod';
import { appMethods } from './app';
import { hardwareMethods, type HardwareEvents } from './hardware';
import type { MethodSpec } from './define';

/** Every method the app offers. Both transports are generated from this table. */
export const contract = {
  ...appMethods,
  ...hardwareMethods,
};

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodResult<M extends MethodName> = Contract[M] extends MethodSpec<z.ZodType, infer R> ? R : never;

/** Events the app pushes, by topic. */
export type EventMap = HardwareEvents;
export type EventTopic = keyof EventMap;

export const eventTopics: readonly EventTopic[] = ['hardware.sample'];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(contract, name);
}

export function isEventTopic(name: string): name is EventTopic {
  return (eventTopics as readonly string[]).includes(name);
}

export * from './app';
export * from './hardware';
export type { MethodSpec } from './define';
