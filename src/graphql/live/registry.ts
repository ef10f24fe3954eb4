import { isAdmin, type Principal } from '../../domain/index.ts';
import type { LiveChange, Subscriber } from './types.ts';

/** A tenant's subscribers, indexed so a change reaches only those who may want it. */
interface TenantSubscribers {
  /** Change feeds of admins: every request of the tenant. */
  admins: Set<Subscriber>;
  /** Change feeds of users, by user: only their own requests. */
  users: Map<string, Set<Subscriber>>;
  /** vmRequestUpdated subscribers, by request id. */
  requests: Map<string, Set<Subscriber>>;
  size: number;
}

export interface Registry {
  addFeed(principal: Principal, subscriber: Subscriber): () => void;
  addWatcher(principal: Principal, requestId: string, subscriber: Subscriber): () => void;
  /**
   * Hands one change to the subscribers it may concern; each checks visibility and filters itself. A large fan-out
   * yields to the event loop between chunks and returns a promise: wait for it before handing out the next change.
   */
  fanOut(change: LiveChange): void | Promise<void>;
  hasTenant(tenantId: string): boolean;
  tenants(): string[];
  count(): number;
}

const addTo = <K>(map: Map<K, Set<Subscriber>>, key: K, subscriber: Subscriber): void => {
  const set = map.get(key);
  if (set) set.add(subscriber);
  else map.set(key, new Set([subscriber]));
};

const removeFrom = <K>(map: Map<K, Set<Subscriber>>, key: K, subscriber: Subscriber): void => {
  const set = map.get(key);
  if (!set) return;
  set.delete(subscriber);
  if (set.size === 0) map.delete(key);
};

/**
 * Subscribers handed a change before the fan-out yields to the event loop. A delivery wakes the subscriber's
 * execution and send, which run as microtasks: without a yield, 10,000 subscribers of one request are all executed
 * and queued before the first socket write, so the first client waits for the last and clients sit idle while the
 * server works. In chunks, the first sockets are written (and read by their clients, on the other core) while the
 * rest are still being served, and other work (HTTP requests, notifications) is not held up for the whole fan-out.
 */
const FAN_OUT_CHUNK = 250;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const createRegistry = (): Registry => {
  const tenants = new Map<string, TenantSubscribers>();
  let total = 0;

  const bucket = (tenantId: string): TenantSubscribers => {
    let found = tenants.get(tenantId);
    if (!found) {
      found = { admins: new Set(), users: new Map(), requests: new Map(), size: 0 };
      tenants.set(tenantId, found);
    }
    return found;
  };

  const register = (tenantId: string, add: (b: TenantSubscribers) => void, remove: (b: TenantSubscribers) => void) => {
    const b = bucket(tenantId);
    add(b);
    b.size++;
    total++;
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      remove(b);
      b.size--;
      total--;
      if (b.size === 0 && tenants.get(tenantId) === b) tenants.delete(tenantId);
    };
  };

  return {
    addFeed(principal, subscriber) {
      return isAdmin(principal)
        ? register(principal.tenantId, (b) => b.admins.add(subscriber), (b) => b.admins.delete(subscriber))
        : register(
            principal.tenantId,
            (b) => addTo(b.users, principal.userId, subscriber),
            (b) => removeFrom(b.users, principal.userId, subscriber),
          );
    },
    addWatcher(principal, requestId, subscriber) {
      return register(
        principal.tenantId,
        (b) => addTo(b.requests, requestId, subscriber),
        (b) => removeFrom(b.requests, requestId, subscriber),
      );
    },
    fanOut(change) {
      const b = tenants.get(change.view.tenantId);
      if (!b) return;
      const own = b.users.get(change.view.requesterId);
      const watching = b.requests.get(change.view.id);
      const groups = [b.admins, own, watching].filter((group) => group !== undefined && group.size > 0) as Set<Subscriber>[];
      let size = 0;
      for (const group of groups) size += group.size;
      if (size <= FAN_OUT_CHUNK) {
        for (const group of groups) for (const subscriber of group) subscriber.deliver(change);
        return;
      }
      return (async () => {
        let handed = 0;
        // Set iteration survives subscribers leaving (or joining: they drop changes not newer than their start).
        for (const group of groups) {
          for (const subscriber of group) {
            subscriber.deliver(change);
            if (++handed % FAN_OUT_CHUNK === 0) await yieldToEventLoop();
          }
        }
      })();
    },
    hasTenant: (tenantId) => tenants.has(tenantId),
    tenants: () => [...tenants.keys()],
    count: () => total,
  };
};
