import type { Change, Subscriber } from './types.ts';

/**
 * This process's subscribers, by tenant and route, so a change reaches only those it may concern. A route is a key
 * the source gives each change (for VM requests: every request of the tenant, one requester's, one request).
 */
export interface Registry<C extends Change> {
  add(tenantId: string, route: string, subscriber: Subscriber<C>): () => void;
  /**
   * Hands one change to the subscribers of its routes; each checks visibility and filters itself. A large fan-out
   * yields to the event loop between chunks and returns a promise: wait for it before handing out the next change.
   */
  fanOut(change: C, routes: readonly string[]): void | Promise<void>;
  hasTenant(tenantId: string): boolean;
  tenants(): string[];
  count(): number;
}

/**
 * Subscribers handed a change before the fan-out yields to the event loop. A delivery wakes the subscriber's
 * execution and send, which run as microtasks: without a yield, 10,000 subscribers of one change are all executed
 * and queued before the first socket write, so the first client waits for the last, and other work (HTTP requests,
 * notifications) waits for the whole fan-out.
 */
const FAN_OUT_CHUNK = 250;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export const createRegistry = <C extends Change>(): Registry<C> => {
  const tenants = new Map<string, Map<string, Set<Subscriber<C>>>>();
  let total = 0;

  return {
    add(tenantId, route, subscriber) {
      let routes = tenants.get(tenantId);
      if (!routes) tenants.set(tenantId, (routes = new Map()));
      let set = routes.get(route);
      if (!set) routes.set(route, (set = new Set()));
      set.add(subscriber);
      total++;
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        total--;
        set.delete(subscriber);
        if (set.size > 0) return;
        if (routes.get(route) === set) routes.delete(route);
        if (routes.size === 0 && tenants.get(tenantId) === routes) tenants.delete(tenantId);
      };
    },

    fanOut(change, routeKeys) {
      const routes = tenants.get(change.tenantId);
      if (!routes) return;
      const groups: Set<Subscriber<C>>[] = [];
      let size = 0;
      for (const key of routeKeys) {
        const group = routes.get(key);
        if (group && group.size > 0) {
          groups.push(group);
          size += group.size;
        }
      }
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
