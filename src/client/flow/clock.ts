/**
 * The time source of the client's scheduling: the rate limiter, backoff waits, per-attempt timeouts and attempt
 * durations. It is injectable so those can be tested without real waiting. UserSig expiry is wall-clock time and does
 * not use it.
 */
import { abortReason } from './abort.js';

/** setTimeout's ceiling; a longer timer would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

export interface Clock {
  /** Milliseconds from an arbitrary origin; must never go backwards. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** `performance.now` rather than `Date.now`: a step of the wall clock (an NTP correction) must not open or shut a rate window. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts, so a caller's abort ends a backoff
 * wait at once instead of after it.
 */
export function sleep(ms: number, clock: Clock, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(handle);
      reject(abortReason(signal as AbortSignal));
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
