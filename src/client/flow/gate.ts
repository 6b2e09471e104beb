/**
 * What a request passes before it is sent: its operation's rate limiter, then the client's concurrency cap. The rate
 * slot comes first so that requests of a throttled operation wait without holding a place another operation could
 * use; the release frees both (the rate slot a window later, see rate-limiter.ts).
 */
import { operations, type OperationId } from '../../../generated/operations.js';
import { systemClock, type Clock } from './clock.js';
import type { Release, Semaphore } from './concurrency.js';
import { SlidingWindowLimiter, type OperationLimiter, type RatePermit } from './rate-limiter.js';

/** Calls per window for each operation, or undefined where the operation is not limited. */
export type RateLimits = { readonly [Op in OperationId]?: number };

/** Makes an operation's limiter when its limit is to be shared with other processes (see shared/). */
export type SharedLimiterFactory = (operationId: OperationId, calls: number) => OperationLimiter;

/** A request's way through the gate. */
export interface Pass {
  /** False when nothing limits the request, so nobody needs to hear about it. */
  readonly held: boolean;
  /**
   * The answer's headers arrived (or the request failed): the service has received it, so its rate slot starts its
   * last window now. Idempotent; `release` implies it.
   */
  answered(): void;
  /** The request is over: frees its place under the concurrency cap too. Idempotent. */
  release(): void;
}

const noop = (): void => {};
const freePass: Pass = { held: false, answered: noop, release: noop };

class HeldPass implements Pass {
  readonly held = true;
  readonly #permit: RatePermit | undefined;
  readonly #slot: Release;

  constructor(permit: RatePermit | undefined, slot: Release) {
    this.#permit = permit;
    this.#slot = slot;
  }

  answered(): void {
    this.#permit?.release();
  }

  release(): void {
    this.#permit?.release();
    this.#slot();
  }
}

export class RequestGate {
  readonly #limiters: ReadonlyMap<OperationId, OperationLimiter>;
  readonly #semaphore: Semaphore | undefined;

  constructor(limits: RateLimits, semaphore: Semaphore | undefined, clock: Clock = systemClock, shared?: SharedLimiterFactory) {
    const limiters = new Map<OperationId, OperationLimiter>();
    for (const operationId of Object.keys(operations) as OperationId[]) {
      const calls = limits[operationId];
      if (calls === undefined) continue;
      limiters.set(
        operationId,
        shared?.(operationId, calls) ?? new SlidingWindowLimiter(calls, operations[operationId].rateLimit.perSeconds * 1000, clock),
      );
    }
    this.#limiters = limiters;
    this.#semaphore = semaphore;
  }

  /** The limiter of an operation, for inspection; undefined when it is not limited. */
  limiter(operationId: OperationId): OperationLimiter | undefined {
    return this.#limiters.get(operationId);
  }

  /**
   * Waits for both; rejects with the signal's reason if it aborts first, holding nothing. Returns the pass at once
   * (not a promise) when nothing limits the request, which keeps unlimited clients at the cost of a call.
   */
  enter(operationId: OperationId | undefined, signal: AbortSignal | undefined): Pass | Promise<Pass> {
    const limiter = operationId === undefined ? undefined : this.#limiters.get(operationId);
    if (limiter === undefined && this.#semaphore === undefined) return freePass;
    return this.#enter(limiter, signal);
  }

  async #enter(limiter: OperationLimiter | undefined, signal: AbortSignal | undefined): Promise<Pass> {
    const permit = limiter === undefined ? undefined : await limiter.acquire(signal);
    let slot: Release = noop;
    try {
      if (this.#semaphore !== undefined) slot = await this.#semaphore.acquire(signal);
    } catch (error) {
      permit?.release();
      throw error;
    }
    return new HeldPass(permit, slot);
  }
}
