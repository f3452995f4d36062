import type { z } from 'zod';
import { appMethods } from './app';
import { hardwareEvents, hardwareMethods } from './hardware';
import { trackingEvents, trackingMethods } from './tracking';
import { trainingEvents, trainingMethods } from './training';
import { registryEvents, registryMethods } from './registry';
import { remoteEvents, remoteMethods } from './remotes';
import { servingEvents, servingMethods } from './serving';
import { monitoringEvents, monitoringMethods } from './monitoring';
import { pipelineEvents, pipelineMethods } from './pipelines';
import type { EventsOf, MethodSpec } from './define';

/** Every method the app offers. Both transports are generated from this table. */
export const contract = {
  ...appMethods,
  ...hardwareMethods,
  ...trackingMethods,
  ...trainingMethods,
  ...registryMethods,
  ...remoteMethods,
  ...servingMethods,
  ...monitoringMethods,
  ...pipelineMethods,
};

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodResult<M extends MethodName> = Contract[M] extends MethodSpec<z.ZodType, infer R> ? R : never;

/** Every event the app publishes, by topic: the one table both the type and the topic list come from. */
export const appEvents = { ...hardwareEvents, ...trackingEvents, ...trainingEvents, ...registryEvents, ...remoteEvents, ...servingEvents, ...monitoringEvents, ...pipelineEvents };
export type AppEventMap = EventsOf<typeof appEvents>;
export type AppEventTopic = keyof AppEventMap;

/**
 * The transport's own signal, not an app event: events may have been lost, so whatever shows
 * data kept current by events must re-read it. 'fell-behind': the app dropped this subscriber's
 * stream because it stopped reading (its unsent events hit the cap) and said so as the stream's
 * last event; 'reconnected': the stream was lost for another reason and is back. It arrives once
 * the new subscription is live, so a re-read then misses nothing.
 */
export interface ResyncEvent {
  reason: 'fell-behind' | 'reconnected';
}
export const RESYNC_TOPIC = 'resync';
/**
 * Handover between event streams: a stream's answer carries in this header the number of the last
 * event published before it subscribed, and every stream already open gets a `SEQ_MARK_EVENT`
 * with that number as its id, so a client moving to the new stream knows when the old one caught up.
 */
export const EVENT_SEQ_HEADER = 'x-orrery-event-seq';
export const SEQ_MARK_EVENT = 'seq';

/** What a client can listen to: the app's events and the resync signal. */
export type EventMap = AppEventMap & { [RESYNC_TOPIC]: ResyncEvent };
export type EventTopic = keyof EventMap;

/** Topics the app publishes; only these may be subscribed to at the app (resync is the transport's). */
export const eventTopics = Object.keys(appEvents) as readonly AppEventTopic[];

/**
 * Names from before the verb convention (docs/ARCHITECTURE.md: list…, get…, create…, update…,
 * delete…, or an action verb): each still answers, as the method it was renamed to.
 */
export const methodAliases: Readonly<Record<string, MethodName>> = {
  'app.info': 'app.getInfo',
  'app.integrity': 'app.getIntegrity',
  'hardware.overview': 'hardware.getOverview',
  'hardware.docker': 'hardware.getDocker',
  'hardware.sample': 'hardware.getSample',
  'tracking.history': 'tracking.getMetricHistory',
  'training.list': 'training.listJobs',
  'training.get': 'training.getJob',
  'training.images': 'training.listImages',
  'training.resources': 'training.getResources',
  'training.logs': 'training.getLogs',
  'registry.audit': 'registry.listAudit',
};

/** The method a name calls: itself, or the new name of an old one. */
export function resolveMethodName(name: string): string {
  return Object.hasOwn(methodAliases, name) ? (methodAliases[name] as string) : name;
}

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(contract, name);
}

export function isEventTopic(name: string): name is AppEventTopic {
  return (eventTopics as readonly string[]).includes(name);
}

export * from './app';
export * from './hardware';
export * from './tracking';
export * from './training';
export * from './training-spec';
export * from './registry';
export * from './remotes';
export * from './serving';
export * from './monitoring';
export type { EventSpec, EventsOf, MethodSpec } from './define';
