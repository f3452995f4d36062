import type { z } from 'zod';
import { appMethods } from './app';
import { hardwareMethods, type HardwareEvents } from './hardware';
import { trackingMethods, type TrackingEvents } from './tracking';
import { trainingMethods, type TrainingEvents } from './training';
import { registryMethods, type RegistryEvents } from './registry';
import { remoteMethods } from './remotes';
import type { MethodSpec } from './define';

/** Every method the app offers. Both transports are generated from this table. */
export const contract = {
  ...appMethods,
  ...hardwareMethods,
  ...trackingMethods,
  ...trainingMethods,
  ...registryMethods,
  ...remoteMethods,
};

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodResult<M extends MethodName> = Contract[M] extends MethodSpec<z.ZodType, infer R> ? R : never;

/** Events the app pushes, by topic. */
export type EventMap = HardwareEvents & TrackingEvents & TrainingEvents & RegistryEvents;
export type EventTopic = keyof EventMap;

export const eventTopics: readonly EventTopic[] = ['hardware.sample', 'tracking.run', 'tracking.metrics', 'training.job', 'training.log', 'registry.version', 'registry.pushProgress'];

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(contract, name);
}

export function isEventTopic(name: string): name is EventTopic {
  return (eventTopics as readonly string[]).includes(name);
}

export * from './app';
export * from './hardware';
export * from './tracking';
export * from './training';
export * from './training-spec';
export * from './registry';
export * from './remotes';
export type { MethodSpec } from './define';
