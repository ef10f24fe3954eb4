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
  // A ring: a subscriber that keeps up pushes and shifts one at a time, and Array#shift would copy the array.
  const slots = new Array<T | undefined>(capacity);
  let head = 0;
  let size = 0;
  return {
    push(value) {
      if (size >= capacity) return false;
      slots[(head + size) % capacity] = value;
      size++;
      return true;
    },
    shift() {
      if (size === 0) return undefined;
      const value = slots[head];
      slots[head] = undefined;
      head = (head + 1) % capacity;
      size--;
      return value;
    },
    clear() {
      slots.fill(undefined);
      head = 0;
      size = 0;
    },
    get size() {
      return size;
    },
  };
};
