/**
 * A rate limiter with a FIFO queue that guarantees at most `limit` requests in any window of `windowMs`, wherever the
 * window starts, and lets requests leave in the order they asked.
 *
 * Two rules decide when the head of the queue may go:
 *
 * 1. The window (the guarantee). A request counts from the moment it is granted until a full window after its
 *    outcome was known (answer, failure or abort), not a window after it was sent, and a new one is granted only
 *    while fewer than `limit` count. The service counts a request when it receives it, somewhere between those two
 *    moments, so the limit holds on the service's clock whatever the network delay: any service-side window holds
 *    only requests that all counted when the last of them was granted. (Counting from the send time would let a
 *    request delayed in transit land in the same service-side window as one sent a second later.) The cost is the
 *    round trip of each request, about 0.1 % of a 1 s window on a LAN; a slow request delays only itself.
 * 2. The pace (GCRA). Requests are spread `windowMs / limit` apart, with a few at once after a quiet spell.
 *    A whole window's worth sent at once would queue up at the service and lengthen every round trip, which by rule
 *    1 costs quota; evenly spread requests keep round trips short. The pace is kept in theoretical send times, and
 *    up to 100 ms of it can be caught up at once, so a timer that fires late or an event loop that stalls for less
 *    than that loses no quota.
 *
 * No polling and no fixed sleeps: the head of the queue is woken by a timer set for the moment both rules allow it,
 * or by the outcome of a request in flight when that is what it waits for.
 */
import { FifoQueue } from './fifo-queue.js';
import { abortReason } from './abort.js';
import { systemClock, type Clock } from './clock.js';

export interface RatePermit {
  /** Marks the request's outcome as known; it stops counting a window later. Idempotent. */
  release(): void;
}

/**
 * How far behind the pace the limiter may catch up at once: a timer that fires late, or an event loop that stalled,
 * would otherwise lose that time for good.
 */
export const CATCH_UP_MS = 100;

/** What the request gate needs of an operation's limiter, in-process or shared by a fleet. */
export interface OperationLimiter {
  /** Requests waiting for their turn. */
  readonly queued: number;
  /** Requests that count against the limit now (a shared limiter counts this process's only). */
  readonly counted: number;
  /** Resolves with a permit when the request may be sent; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<RatePermit>;
}

interface Waiter {
  readonly resolve: (permit: RatePermit) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
  settled: boolean;
}

export class SlidingWindowLimiter implements OperationLimiter {
  readonly limit: number;
  readonly windowMs: number;
  /** Requests that may go at once after a quiet spell (at least those that fit in the catch-up span). */
  readonly burst: number;
  readonly #clock: Clock;
  /** The pace: one request per interval, and how far ahead of its theoretical time a request may go. */
  readonly #interval: number;
  readonly #tolerance: number;
  /** The theoretical send time of the next request (GCRA's TAT). */
  #paceAt = Number.NEGATIVE_INFINITY;
  #inFlight = 0;
  /**
   * When the outcome of each recently answered request became known, oldest first: a ring of `limit` entries (more
   * cannot count at once, unless calls were reserved, when it grows). Taken from the clock at release, so they arrive
   * in order.
   */
  #knownAt: Float64Array;
  #knownStart = 0;
  #knownCount = 0;
  readonly #queue = new FifoQueue<Waiter>();
  #timer: unknown;
  #timerAt = Number.NaN;

  /**
   * `burst`: how many may go at once after a quiet spell; at least as many as fit in the catch-up span (100 ms) go
   * anyway. Default 1: spread evenly.
   */
  constructor(limit: number, windowMs: number, clock: Clock = systemClock, burst = 1) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
    if (!(windowMs > 0) || !Number.isFinite(windowMs)) throw new RangeError(`rate window must be positive, got ${windowMs} ms`);
    if (!Number.isInteger(burst) || burst < 1 || burst > limit) throw new RangeError(`burst must be an integer from 1 to the limit, got ${burst}`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.burst = burst;
    this.#clock = clock;
    this.#interval = windowMs / limit;
    this.#tolerance = Math.max((burst - 1) * this.#interval, CATCH_UP_MS);
    this.#knownAt = new Float64Array(limit);
  }

  /** Requests waiting for their turn (aborted ones excluded once they reach the head). */
  get queued(): number {
    return this.#queue.size;
  }

  /** Requests that count against the limit now: in flight, or answered less than a window ago. */
  get counted(): number {
    this.#forget(this.#clock.now());
    return this.#inFlight + this.#knownCount;
  }

  /**
   * Resolves with a permit when the request may be sent; rejects with the signal's reason if it aborts first (the
   * request then counts for nothing).
   */
  acquire(signal?: AbortSignal): Promise<RatePermit> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    // Only an empty queue may be overtaken, or a steady stream of newcomers could starve the waiting requests.
    if (this.queued === 0) {
      const now = this.#clock.now();
      if (this.#dueAt(now) <= now) return Promise.resolve(this.#grant(now));
    }
    return new Promise<RatePermit>((resolve, reject) => {
      const onAbort =
        signal === undefined
          ? undefined
          : () => {
              if (waiter.settled) return;
              waiter.settled = true;
              reject(abortReason(signal));
              // The head may have been the one aborted; the next in line must not wait for its timer.
              this.#pump();
            };
      const waiter: Waiter = { resolve, reject, signal, onAbort, settled: false };
      signal?.addEventListener('abort', onAbort as () => void, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /**
   * Counts a call that was let through elsewhere (by the shared window before this limiter took over from it), from
   * now until a window after its release, without waiting for the limit or the pace; it may take the count above the
   * limit, and then no request is granted until it falls below again.
   */
  reserve(): RatePermit {
    this.#inFlight += 1;
    return this.#permit();
  }

  /** Drops the answered requests that stopped counting (answered a window or more before `now`). */
  #forget(now: number): void {
    while (this.#knownCount > 0 && (this.#knownAt[this.#knownStart] as number) + this.windowMs <= now) {
      this.#knownStart = (this.#knownStart + 1) % this.#knownAt.length;
      this.#knownCount -= 1;
    }
  }

  /**
   * The earliest time the next request may go: when the pace allows it and fewer than `limit` count. +Infinity when
   * all that count are in flight, as only an answer can change that.
   */
  #dueAt(now: number): number {
    this.#forget(now);
    const paced = this.#paceAt - this.#tolerance;
    if (this.#inFlight + this.#knownCount < this.limit) return paced;
    if (this.#knownCount === 0) return Number.POSITIVE_INFINITY;
    return Math.max(paced, (this.#knownAt[this.#knownStart] as number) + this.windowMs);
  }

  #grant(now: number): RatePermit {
    this.#inFlight += 1;
    this.#paceAt = Math.max(this.#paceAt, now) + this.#interval;
    return this.#permit();
  }

  #permit(): RatePermit {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const at = this.#clock.now();
        this.#forget(at);
        this.#inFlight -= 1;
        // Granted requests alone never fill the ring (this one counted while in flight); reserved ones may.
        if (this.#knownCount === this.#knownAt.length) this.#grow();
        this.#knownAt[(this.#knownStart + this.#knownCount) % this.#knownAt.length] = at;
        this.#knownCount += 1;
        if (this.queued > 0) this.#pump();
      },
    };
  }

  #grow(): void {
    const grown = new Float64Array(this.#knownAt.length * 2);
    for (let index = 0; index < this.#knownCount; index++) grown[index] = this.#knownAt[(this.#knownStart + index) % this.#knownAt.length] as number;
    this.#knownAt = grown;
    this.#knownStart = 0;
  }

  #pump(): void {
    const now = this.#clock.now();
    for (let waiter = this.#queue.peek(); waiter !== undefined; waiter = this.#queue.peek()) {
      if (waiter.settled) {
        this.#queue.shift();
        continue;
      }
      if (this.#dueAt(now) > now) break;
      this.#queue.shift();
      waiter.settled = true;
      waiter.signal?.removeEventListener('abort', waiter.onAbort as () => void);
      waiter.resolve(this.#grant(now));
    }
    this.#arm(this.queued > 0 ? this.#dueAt(now) : Number.NaN);
  }

  /** Keeps one timer, for the moment the head may go; none while it waits for an answer. */
  #arm(at: number): void {
    if (at === this.#timerAt) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = at;
    if (!Number.isFinite(at)) return;
    // Timers have millisecond resolution and may fire a fraction early; #pump checks again and re-arms.
    const delay = Math.max(1, Math.ceil(at - this.#clock.now()));
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Number.NaN;
      this.#pump();
    }, delay);
  }
}
