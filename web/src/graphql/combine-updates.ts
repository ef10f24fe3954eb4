import type { UpdatesConfig } from '@urql/exchange-graphcache';

/**
 * One graphcache `updates` config from several, calling every updater given for a field in order. graphcache takes
 * one updater per field, while separate lists (the approvals queue, project lists, request lists) each follow the
 * same results; this lets each keep its updaters in its own module.
 */
export function combineUpdates(...configs: UpdatesConfig[]): UpdatesConfig {
  const combined: UpdatesConfig = {};
  for (const config of configs) {
    for (const [typeName, fields] of Object.entries(config)) {
      if (!fields) continue;
      const target = (combined[typeName] ??= {});
      for (const [fieldName, updater] of Object.entries(fields)) {
        if (!updater) continue;
        const before = target[fieldName];
        target[fieldName] = before
          ? (result, args, cache, info) => {
              before(result, args, cache, info);
              updater(result, args, cache, info);
            }
          : updater;
      }
    }
  }
  return combined;
}
