/**
 * Whether to send a request again, decided in one place: after a failed attempt, the next step of the call (retry
 * after a wait, fail over to the backup host, or stop); whether a failure without an answer is worth a retry at all;
 * whether a rejected UserSig is replaced; and whether an answer after an unanswered attempt leaves the outcome
 * unclear. Every rule is read from the document's tables, never kept as a list here: the strategy the error table
 * gives each ErrorCode (so a code the table marks non-retryable is never retried), the retryable HTTP statuses
 * (`x-retryable-statuses`), and each operation's already-done answers (`x-already-done-answers`).
 *
 * Waits are exponential with full jitter (a random wait between 0 and the exponential cap), which spreads the
 * retries of many clients instead of synchronising them.
 */
import { retryableHttpStatuses, type RetryStrategy } from '../../generated/error-codes.js';
import { operations, type OperationId } from '../../generated/operations.js';

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

// ---------------------------------------------------------------------------------------------------------------
// Failures without an answer

/**
 * Why no answer came back: a status other than 200 that is not a redirect (`http-status`), a failed connection, a
 * timeout, or the caller's abort. An answer that came back but is not the envelope is an `UnexpectedAnswerError`.
 */
export type NetworkFailureReason = 'http-status' | 'connection' | 'timeout' | 'aborted';

/**
 * Whether the service may have acted on the request: `not-sent` when it provably never left (DNS or connection
 * failure, or aborted while queued), `unknown` otherwise (a timeout or a lost connection may come after the service
 * acted, and a gateway may answer 502 after passing the request on).
 */
export type Delivery = 'not-sent' | 'unknown';

/** HTTP statuses from a gateway that say "try again" (the document's `x-retryable-statuses`); others (e.g. 500) are not. */
export const RETRYABLE_HTTP_STATUSES: ReadonlySet<number> = new Set(retryableHttpStatuses);

export function networkRetryable(reason: NetworkFailureReason, status: number | undefined): boolean {
  switch (reason) {
    case 'connection':
    case 'timeout':
      return true;
    case 'http-status':
      return status !== undefined && RETRYABLE_HTTP_STATUSES.has(status);
    case 'aborted':
      // The caller asked to stop.
      return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The next step of a call

/** What the policy reads of a failed attempt; every failure of errors.ts carries these. */
export interface AttemptFailure {
  readonly kind: string;
  readonly strategy: RetryStrategy;
  readonly reason?: string;
  readonly delivery?: Delivery | undefined;
}

/** A host that could not be reached before anything was sent: the request certainly never arrived. */
export function unreachable(failure: AttemptFailure): boolean {
  return failure.kind === 'network' && failure.reason === 'connection' && failure.delivery === 'not-sent';
}

export interface CallSituation {
  /** Whether the caller aborted the call. */
  readonly aborted: boolean;
  /** Whether the call has not failed over yet and the region has another host to fail over to. */
  readonly canFailOver: boolean;
}

/** The next step after an attempt failed with `failure`. */
export function nextStep(policy: RetryPolicy, failure: AttemptFailure, history: AttemptHistory, situation: CallSituation): NextStep {
  if (situation.aborted) return stop('aborted');
  // Unreachable before anything was sent: the other host gets the request at once, the first time in a call.
  if (situation.canFailOver && unreachable(failure)) {
    const failover = planFailover(policy, history);
    if (failover !== undefined) return failover;
  }
  return planRetry(policy, failure.strategy, history);
}

// ---------------------------------------------------------------------------------------------------------------
// Re-signing

/**
 * Whether an answer with `strategy` condemns the UserSig it was sent with, so the next attempt or call gets a new one
 * (whether this call retries is `planRetry`'s business: it re-signs once).
 */
export function replacesUserSig(strategy: RetryStrategy): boolean {
  return strategy === 're-sign-once';
}

// ---------------------------------------------------------------------------------------------------------------
// Unclear outcomes

/*
 * Answers that an earlier success of the same request would also explain. After an attempt whose fate is unknown
 * (timed out, lost its connection, met a gateway error), a retry that gets one of these cannot tell whether the
 * earlier attempt did the work, so the outcome is reported as unclear instead of as a plain failure. The answers are
 * the document's: a delete's "no such group", a create's "name taken", a rename's "no such group" for the old name;
 * reads and idempotent changes list none.
 */

/** The value at a JSON Pointer (RFC 6901) in `value`, or undefined when the path does not exist. */
function valueAt(value: unknown, pointer: string): unknown {
  let node = value;
  for (const raw of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * What an earlier unanswered request may have done, when `code` is an answer its success would explain for this
 * request; else undefined.
 */
export function possibleEarlierEffect(operationId: OperationId, request: unknown, code: number): string | undefined {
  const answers: readonly { code: number; effect: string; requestMatches: Readonly<Record<string, unknown>> }[] =
    operations[operationId].alreadyDoneAnswers;
  const answer = answers.find(
    (candidate) =>
      candidate.code === code && Object.entries(candidate.requestMatches).every(([pointer, expected]) => valueAt(request, pointer) === expected),
  );
  return answer?.effect;
}
