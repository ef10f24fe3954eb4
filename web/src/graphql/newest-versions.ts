import type { Exchange, OperationResult } from '@urql/core';
import { map, pipe } from 'wonka';

/**
 * Keeps the cache from going back in time. A request reaches the page by several paths (the session's feed, a detail
 * page's vmRequestUpdated, a list query, a mutation's answer), each in order by itself but not with each other: the
 * feed's version 4 can arrive after the detail subscription's version 5, or a list query that read version 6 can
 * answer after the feed delivered version 8, READY, and then nothing newer would ever come to repair it. Every result
 * passes through here before the cache: a request older than the newest version seen on any path gets the newer
 * values of the fields both carry, so a late answer never overwrites a newer state. Fields the newer version did not
 * carry keep the late answer's values (each path delivers every later version too, so they catch up). Hand-written:
 * graphcache writes whatever a result holds, and only the API's `version` says which of two states is newer.
 */
export interface NewestVersions {
  /** The result with every VmRequest at least as new as the newest seen (the same object when nothing was older). */
  apply<T>(data: T): T;
}

interface Newest {
  version: number;
  fields: Record<string, unknown>;
}

export function createNewestVersions(): NewestVersions {
  const newest = new Map<string, Newest>();

  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      let changed = false;
      const items = value.map((item) => {
        const next = visit(item);
        changed ||= next !== item;
        return next;
      });
      return changed ? items : value;
    }
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    let result = object;
    for (const [key, field] of Object.entries(object)) {
      const next = visit(field);
      if (next !== field) result = result === object ? { ...object, [key]: next } : Object.assign(result, { [key]: next });
    }
    if (result['__typename'] !== 'VmRequest' || typeof result['id'] !== 'string' || typeof result['version'] !== 'number') return result;
    const id = result['id'];
    const version = result['version'];
    const known = newest.get(id);
    if (!known || version > known.version) {
      newest.set(id, { version, fields: { ...result } });
      return result;
    }
    if (version === known.version) {
      Object.assign(known.fields, result);
      return result;
    }
    // Older than what the page already shows: the newer values win for every field both carry.
    const patched: Record<string, unknown> = { ...result };
    for (const key of Object.keys(result)) if (key in known.fields) patched[key] = known.fields[key];
    return patched;
  };

  return { apply: <T>(data: T): T => visit(data) as T };
}

/** The exchange: between the cache and the transports, so every result from the network passes through. */
export function newestVersionsExchange(versions: NewestVersions = createNewestVersions()): Exchange {
  return ({ forward }) =>
    (operations$) =>
      pipe(
        forward(operations$),
        map((result: OperationResult) => (result.data ? { ...result, data: versions.apply(result.data) } : result)),
      );
}
