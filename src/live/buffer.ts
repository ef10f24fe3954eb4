/**
 * A subscriber's undelivered changes, oldest first, at most `capacity` of them. `push` reports overflow instead of
 * growing: the owner then drops the lot and reads on from the source's versions, which hold the same changes.
 */
export interface ChangeBuffer<T> {
  /** False when the buffer is full (the value is not kept). */
  push(value: T): boolean;
  shift(): T | undefined;
  clear(): void;
  readonly size: number;
}

export const createChangeBuffer = <T>(capacity: number): ChangeBuffer<T> => {
  // Grows as needed, not allocated at capacity: most subscribers hold nothing or one change at a time, and an idle
  // one should cost a few bytes. Taken entries are dropped from the front once they are half the array.
  let items: (T | undefined)[] = [];
  let head = 0;
  return {
    push(value) {
      if (items.length - head >= capacity) return false;
      items.push(value);
      return true;
    },
    shift() {
      if (head >= items.length) return undefined;
      const value = items[head];
      items[head++] = undefined;
      if (head === items.length) {
        items = [];
        head = 0;
      } else if (head >= 32 && head * 2 >= items.length) {
        items = items.slice(head);
        head = 0;
      }
      return value;
    },
    clear() {
      items = [];
      head = 0;
    },
    get size() {
      return items.length - head;
    },
  };
};
