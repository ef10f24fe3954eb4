/**
 * A subscriber's undelivered changes: at most one per request id, in the order their latest state arrived.
 *
 * A newer state of a request replaces the older one and moves to the back, so the mailbox stays in cursor order
 * (changes arrive in cursor order) and a slow consumer skips intermediate states but always gets the latest.
 * `put` reports overflow instead of growing past `capacity`; the owner then drops the lot and re-reads from the
 * read model, which holds the same latest states.
 */
export interface Mailbox<T> {
  /** False when this put made the mailbox exceed its capacity (the entry is kept; the owner decides). */
  put(key: string, value: T): boolean;
  shift(): T | undefined;
  clear(): void;
  readonly size: number;
}

export const createMailbox = <T>(capacity: number): Mailbox<T> => {
  const entries = new Map<string, T>();
  return {
    put(key, value) {
      entries.delete(key);
      entries.set(key, value);
      return entries.size <= capacity;
    },
    shift() {
      for (const [key, value] of entries) {
        entries.delete(key);
        return value;
      }
      return undefined;
    },
    clear() {
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
};
