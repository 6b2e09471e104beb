/**
 * A counting semaphore with a FIFO queue: at most `max` requests of one client in flight at once, across all
 * operations, so a caller can bound the sockets and memory a burst of calls takes.
 */
import { abortReason } from './abort.js';

export type Release = () => void;

interface Waiter {
  readonly resolve: (release: Release) => void;
  settled: boolean;
}

export class Semaphore {
  readonly max: number;
  #inFlight = 0;
  readonly #queue: Waiter[] = [];
  #head = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
    this.max = max;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves with a release function once a place is free; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#head === this.#queue.length && this.#inFlight < this.max) {
      this.#inFlight += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const onAbort = (): void => {
        if (waiter.settled) return;
        waiter.settled = true;
        reject(abortReason(signal as AbortSignal));
      };
      const waiter: Waiter = {
        resolve: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        settled: false,
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      this.#next();
    };
  }

  #next(): void {
    while (this.#head < this.#queue.length && this.#inFlight < this.max) {
      const waiter = this.#queue[this.#head] as Waiter;
      this.#head += 1;
      if (waiter.settled) continue;
      waiter.settled = true;
      this.#inFlight += 1;
      waiter.resolve(this.#releaser());
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
