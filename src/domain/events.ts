import { type ProjectEvent, projectEventSchemaVersions } from './project/events.ts';
import { type VmRequestEvent, vmRequestEventSchemaVersions } from './vm-request/events.ts';
import { type VmwareConnectionEvent, vmwareConnectionEventSchemaVersions } from './vmware-connection/events.ts';

export type DomainEvent = VmRequestEvent | ProjectEvent | VmwareConnectionEvent;
export type EventType = DomainEvent['type'];
export type EventData<T extends EventType> = Extract<DomainEvent, { type: T }>['data'];

/** The schema version new events of each type are written with. */
export const eventSchemaVersions: Readonly<Record<EventType, number>> = {
  ...vmRequestEventSchemaVersions,
  ...projectEventSchemaVersions,
  ...vmwareConnectionEventSchemaVersions,
};

export const isEventType = (type: string): type is EventType => Object.hasOwn(eventSchemaVersions, type);

export const isVmRequestEvent = (event: DomainEvent): event is VmRequestEvent =>
  Object.hasOwn(vmRequestEventSchemaVersions, event.type);

export const isVmwareConnectionEvent = (event: DomainEvent): event is VmwareConnectionEvent =>
  Object.hasOwn(vmwareConnectionEventSchemaVersions, event.type);

export const isProjectEvent = (event: DomainEvent): event is ProjectEvent =>
  Object.hasOwn(projectEventSchemaVersions, event.type);

/**
 * Brings a stored payload written with `schemaVersion` up to the current schema of its type. Every type is at
 * version 1 today, so this is the identity; when a payload changes, its old versions are converted here, in one place,
 * and deciders and projections only ever see the current shape. A version newer than this code knows is a deployment
 * error (old code reading new events), not something to guess at.
 */
export const upcast = <T extends EventType>(type: T, schemaVersion: number, data: unknown): EventData<T> => {
  const current = eventSchemaVersions[type];
  if (schemaVersion > current) {
    throw new Error(`${type} has schema version ${schemaVersion}; this code knows up to ${current}`);
  }
  return data as EventData<T>;
};

/** A stored event as the domain sees it; an unknown type is a bug (or a newer deployment), never user input. */
export const toDomainEvent = (type: string, schemaVersion: number, data: unknown): DomainEvent => {
  if (!isEventType(type)) throw new Error(`Unknown event type ${type}`);
  return { type, data: upcast(type, schemaVersion, data) } as DomainEvent;
};
