/**
 * A counting semaphore with a FIFO queue: at most `max` requests of one client in flight at once, across all
 * operations, so a caller can bound the sockets and memory a burst of calls takes.
 */
import { FifoQueue } from './fifo-queue.js';
import { abortReason } from './abort.js';

export type Release = () => void;

interface Waiter {
  readonly resolve: (release: Release) => void;
  settled: boolean;
}

export class Semaphore {
  readonly max: number;
  #inFlight = 0;
  readonly #queue = new FifoQueue<Waiter>();

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
    if (this.#queue.size === 0 && this.#inFlight < this.max) {
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
    while (this.#queue.size > 0 && this.#inFlight < this.max) {
      const waiter = this.#queue.shift() as Waiter;
      if (waiter.settled) continue;
      waiter.settled = true;
      this.#inFlight += 1;
      waiter.resolve(this.#releaser());
    }
  }
}
