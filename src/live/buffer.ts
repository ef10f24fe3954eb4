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

/**
 * Grows as needed, not allocated at capacity: most subscribers hold nothing or one change at a time, and an idle one
 * should cost a few bytes. Taken entries are dropped from the front once they are half the array. A class: one of
 * these per subscriber, its methods shared rather than closures of its own.
 */
class GrowingBuffer<T> implements ChangeBuffer<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  push(value: T): boolean {
    if (this.items.length - this.head >= this.capacity) return false;
    this.items.push(value);
    return true;
  }

  shift(): T | undefined {
    const { items } = this;
    if (this.head >= items.length) return undefined;
    const value = items[this.head];
    items[this.head++] = undefined;
    if (this.head === items.length) this.clear();
    else if (this.head >= 32 && this.head * 2 >= items.length) {
      this.items = items.slice(this.head);
      this.head = 0;
    }
    return value;
  }

  clear(): void {
    // A shared empty array would be written to by the next push: each buffer gets its own, only once it is needed.
    if (this.items.length > 0) this.items = [];
    this.head = 0;
  }

  get size(): number {
    return this.items.length - this.head;
  }
}

export const createChangeBuffer = <T>(capacity: number): ChangeBuffer<T> => new GrowingBuffer<T>(capacity);
