/**
 * A first-in first-out queue with O(1) shift: the array is compacted now and then rather than on every shift,
 * which would copy the whole queue each time. Shared by the rate limiter and the concurrency cap.
 */
export class FifoQueue<T> {
  readonly #items: T[] = [];
  #head = 0;

  /** Items not yet shifted (settled waiters that are still queued included). */
  get size(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  peek(): T | undefined {
    return this.#head < this.#items.length ? this.#items[this.#head] : undefined;
  }

  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#head += 1;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }
}
