/**
 * Loads per object, batched and memoised on the object itself.
 *
 * Keys are the view objects resolvers receive. A query builds fresh views, so its results are cached for that query
 * only; the live feed hands the same view to every subscriber of a change, so all its subscribers asking for the
 * request's project share one query. Calls made in the same tick go out as one batch.
 */
export const memoizedBatch = <K extends object, V>(
  loadMany: (keys: readonly K[]) => Promise<readonly V[]>,
): ((key: K) => Promise<V>) => {
  const cache = new WeakMap<K, Promise<V>>();
  let pending: { key: K; resolve: (value: V) => void; reject: (error: unknown) => void }[] = [];

  const dispatch = (): void => {
    const batch = pending;
    pending = [];
    loadMany(batch.map((entry) => entry.key)).then(
      (values) => batch.forEach((entry, i) => entry.resolve(values[i] as V)),
      (error: unknown) => batch.forEach((entry) => entry.reject(error)),
    );
  };

  return (key) => {
    const cached = cache.get(key);
    if (cached) return cached;
    const promise = new Promise<V>((resolve, reject) => {
      if (pending.length === 0) process.nextTick(dispatch);
      pending.push({ key, resolve, reject });
    });
    cache.set(key, promise);
    return promise;
  };
};

/** Groups keys by a string (e.g. tenant) so each group can be loaded with one tenant-scoped query. */
export const groupBy = <T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
};
