/**
 * Abort signals for per-attempt timeouts, shared by the attempts that start within the same short slice of time.
 *
 * In Node 20 an AbortController costs about as much as building the rest of the request (it is made transferable on
 * creation), so one per attempt would cost a fifth of the client's throughput. Instead the attempts starting within
 * one slice share a controller that aborts once the last of them has had its full timeout: each attempt gets
 * between `timeoutMs` and `timeoutMs` plus one slice (a twentieth of the timeout, at most 100 ms). A slice takes at
 * most 32 attempts, because fetch adds a listener to the signal per request and looks through them all each time.
 *
 * The abort timer runs only while one of the slice's attempts is in flight, so an idle client keeps no timer and
 * does not hold the process open.
 */
import type { Clock } from './clock.js';

export interface TimeoutLease {
  readonly signal: AbortSignal;
  /**
   * Settles like `sending`, or rejects with the timeout as soon as the signal fires, for a fetch that may ignore
   * its signal: the attempt then ends on time and the fetch is left to finish on its own.
   */
  guard<T>(sending: Promise<T>): Promise<T>;
  /** The attempt is over (answered or failed); must be called exactly once. */
  done(): void;
}

/** Enough attempts per signal to amortise it; few enough that fetch's scan of the signal's listeners stays cheap. */
const MAX_LEASES_PER_SLICE = 32;

interface Slice {
  readonly controller: AbortController;
  /** The rejecters of the guarded attempts of the slice; calling a settled one does nothing. */
  readonly guards: ((reason: unknown) => void)[];
  readonly abortAt: number;
  readonly openUntil: number;
  leases: number;
  inFlight: number;
  timer: unknown;
}

/** A class rather than a closure per attempt: this runs for every request. */
class Lease implements TimeoutLease {
  readonly #slice: Slice;
  readonly #clock: Clock;
  #over = false;

  constructor(slice: Slice, clock: Clock) {
    this.#slice = slice;
    this.#clock = clock;
  }

  get signal(): AbortSignal {
    return this.#slice.controller.signal;
  }

  guard<T>(sending: Promise<T>): Promise<T> {
    const { guards } = this.#slice;
    return new Promise<T>((resolve, reject) => {
      guards.push(reject);
      sending.then(resolve, reject);
    });
  }

  done(): void {
    if (this.#over) return;
    this.#over = true;
    const slice = this.#slice;
    slice.inFlight -= 1;
    if (slice.inFlight === 0 && slice.timer !== undefined) {
      this.#clock.clearTimeout(slice.timer);
      slice.timer = undefined;
    }
  }
}

function sliceLength(timeoutMs: number): number {
  return Math.min(100, Math.max(1, timeoutMs / 20));
}

export class TimeoutSignals {
  readonly #clock: Clock;
  /** The open slice of each timeout in use (calls may override the client's timeout). */
  readonly #open = new Map<number, Slice>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A signal that aborts with a TimeoutError no sooner than `timeoutMs` from now. */
  lease(timeoutMs: number): TimeoutLease {
    const now = this.#clock.now();
    let slice = this.#open.get(timeoutMs);
    if (slice === undefined || now >= slice.openUntil || slice.leases >= MAX_LEASES_PER_SLICE) {
      const openUntil = now + sliceLength(timeoutMs);
      slice = { controller: new AbortController(), guards: [], openUntil, abortAt: openUntil + timeoutMs, leases: 0, inFlight: 0, timer: undefined };
      this.#open.set(timeoutMs, slice);
    }
    slice.leases += 1;
    slice.inFlight += 1;
    if (slice.timer === undefined) {
      const armed = slice;
      slice.timer = this.#clock.setTimeout(() => this.#fire(timeoutMs, armed), Math.max(0, slice.abortAt - now));
    }
    return new Lease(slice, this.#clock);
  }

  #fire(timeoutMs: number, slice: Slice): void {
    slice.timer = undefined;
    if (this.#open.get(timeoutMs) === slice) this.#open.delete(timeoutMs);
    const reason = new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError');
    slice.controller.abort(reason);
    for (const reject of slice.guards.splice(0)) reject(reason);
  }
}
