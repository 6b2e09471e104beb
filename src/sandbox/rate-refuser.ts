/**
 * The sandbox's rate limit, which refuses (the vendor answers a call over the limit at once, it does not queue
 * it). An exact sliding-window limit: a call is accepted only if fewer than `limit` calls were accepted in the
 * `windowMs` before it, so no window [t, t + windowMs), wherever it starts, ever holds more than `limit` accepted
 * calls. (A fixed per-second bucket would let 2 × limit through across a bucket edge.) Refused calls do not count,
 * as a client that backs off must get through once the window has moved on.
 *
 * The times of the last `limit` accepted calls are kept in a ring, so each check is O(1) and allocates nothing.
 */
export class RateRefuser {
  readonly limit: number;
  readonly windowMs: number;
  readonly #acceptedAt: Float64Array;
  #oldest = 0;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rate limit must be a positive integer, got ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`rate window must be positive, got ${windowMs} ms`);
    this.limit = limit;
    this.windowMs = windowMs;
    this.#acceptedAt = new Float64Array(limit);
  }

  /** Accepts the call at `nowMs` and records it, or refuses it without recording. */
  tryAcquire(nowMs: number): boolean {
    if (this.#count < this.limit) {
      this.#acceptedAt[(this.#oldest + this.#count) % this.limit] = nowMs;
      this.#count++;
      return true;
    }
    // The oldest of the last `limit` accepted calls must be at least a window old, or this call would be one too many.
    if (nowMs - (this.#acceptedAt[this.#oldest] ?? 0) < this.windowMs) return false;
    this.#acceptedAt[this.#oldest] = nowMs;
    this.#oldest = (this.#oldest + 1) % this.limit;
    return true;
  }
}
