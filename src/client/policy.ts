/**
 * When to send a failed request again and after how long. The decision follows the strategy the spec's error table
 * gives each ErrorCode (and the one NetworkError derives for its failure), never a list of its own, so a code the
 * table marks non-retryable is never retried. Waits are exponential with full jitter (a random wait between 0 and
 * the exponential cap), which spreads the retries of many clients instead of synchronising them.
 */
import type { RetryStrategy } from '../../generated/error-codes.js';

export interface RetryOptions {
  /** Attempts per call, the first included (default 4). */
  maxAttempts?: number;
  /**
   * No retry starts later than this many milliseconds after the call began (default 20000); a wait that would end
   * later is not begun and the last failure is returned. An attempt already sent still has its full `timeoutMs`.
   */
  maxElapsedMs?: number;
  /** The cap of the first backoff wait; it doubles per attempt (default 200). */
  baseDelayMs?: number;
  /** No backoff wait exceeds this (default 5000). */
  maxDelayMs?: number;
  /** The base for answers saying the call rate is exceeded (strategy `rate-limit-backoff` in the catalogue; default 1000). */
  rateLimitBaseDelayMs?: number;
  /**
   * The wait after too many failed UserSig checks (strategy `wait-60s`), which the vendor says lasts about a minute
   * (default one minute). It is longer than the default `maxElapsedMs`, so by default that answer ends the call; raise `maxElapsedMs` to
   * wait it out instead.
   */
  lockoutDelayMs?: number;
  /** A uniform random number in [0, 1) for the jitter (default Math.random); inject a constant for exact tests. */
  jitter?: () => number;
}

export interface RetryPolicy {
  /** False when retries are turned off (`retry: false`): one attempt, plus a failover to the backup host. */
  readonly enabled: boolean;
  readonly maxAttempts: number;
  readonly maxElapsedMs: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly rateLimitBaseDelayMs: number;
  readonly lockoutDelayMs: number;
  readonly jitter: () => number;
}

export const defaultRetryPolicy: RetryPolicy = {
  enabled: true,
  maxAttempts: 4,
  maxElapsedMs: 20_000,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  rateLimitBaseDelayMs: 1_000,
  lockoutDelayMs: 60_000,
  jitter: Math.random,
};

export const noRetryPolicy: RetryPolicy = { ...defaultRetryPolicy, enabled: false, maxAttempts: 1 };

/** Why a retry is made: the strategy it follows, a new UserSig, or the backup host. */
export type RetryReason = 'backoff' | 'rate-limit-backoff' | 'lockout' | 're-sign' | 'failover';

/** Why no further attempt is made. */
export type StopReason =
  | 'succeeded'
  | 'not-retryable'
  | 'already-re-signed'
  | 'max-attempts'
  | 'max-elapsed'
  | 'retries-off'
  | 'aborted';

export type NextStep =
  | { readonly action: 'retry'; readonly reason: RetryReason; readonly delayMs: number }
  | { readonly action: 'stop'; readonly reason: StopReason };

export interface AttemptHistory {
  /** Attempts made so far in this call, the one just finished included. */
  readonly attempts: number;
  /** Milliseconds since the call began. */
  readonly elapsedMs: number;
  /** Whether the call already replaced its UserSig once. */
  readonly reSigned: boolean;
}

const stop = (reason: StopReason): NextStep => ({ action: 'stop', reason });

/** The wait before retry number `retry` (1 for the first retry): uniform in [0, min(max, base · 2^(retry - 1))]. */
export function fullJitterDelay(policy: RetryPolicy, baseMs: number, retry: number): number {
  const cap = Math.min(policy.maxDelayMs, baseMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(policy.jitter() * cap);
}

/** The next step after a failed attempt whose outcome calls for `strategy`. */
export function planRetry(policy: RetryPolicy, strategy: RetryStrategy, history: AttemptHistory): NextStep {
  if (strategy === 'none') return stop('not-retryable');
  if (!policy.enabled) return stop('retries-off');
  if (strategy === 're-sign-once' && history.reSigned) return stop('already-re-signed');
  if (history.attempts >= policy.maxAttempts) return stop('max-attempts');
  let step: NextStep;
  switch (strategy) {
    case 're-sign-once':
      // The service rejected the sig before acting on the request, so there is nothing to wait for.
      step = { action: 'retry', reason: 're-sign', delayMs: 0 };
      break;
    case 'wait-60s':
      step = { action: 'retry', reason: 'lockout', delayMs: policy.lockoutDelayMs };
      break;
    case 'rate-limit-backoff':
      step = { action: 'retry', reason: 'rate-limit-backoff', delayMs: fullJitterDelay(policy, policy.rateLimitBaseDelayMs, history.attempts) };
      break;
    case 'backoff':
      step = { action: 'retry', reason: 'backoff', delayMs: fullJitterDelay(policy, policy.baseDelayMs, history.attempts) };
      break;
  }
  if (history.elapsedMs + step.delayMs > policy.maxElapsedMs) return stop('max-elapsed');
  return step;
}

/**
 * Whether a request that never reached the service (DNS or connection failure) goes to the other host at once. It
 * was not delivered, so this is allowed even with retries off; with retries on it counts as an attempt.
 */
export function planFailover(policy: RetryPolicy, history: AttemptHistory): NextStep | undefined {
  if (policy.enabled && (history.attempts >= policy.maxAttempts || history.elapsedMs > policy.maxElapsedMs)) return undefined;
  return { action: 'retry', reason: 'failover', delayMs: 0 };
}
