/**
 * What the client reports about each attempt: in `result.attempts` and, as it happens, to the `onAttempt` hook.
 * Nothing here ever holds a UserSig or a key; the URL is redacted.
 */
import type { OperationId } from '../../generated/operations.js';
import type { EndpointRole } from './endpoints.js';
import type { Delivery, NetworkFailureReason, UnexpectedAnswerReason, UserSigFailureReason } from '../errors.js';
import type { NextStep } from './policy.js';
import { callHook } from './hooks.js';

/** How one attempt ended; `code` is the ErrorCode (0 on success) or `undefined` when no envelope came back. */
export type AttemptOutcome =
  | { readonly kind: 'ok'; readonly code: 0 }
  | { readonly kind: 'api'; readonly code: number }
  | {
      readonly kind: 'network';
      readonly code: undefined;
      readonly reason: NetworkFailureReason;
      readonly delivery: Delivery;
      readonly status?: number;
      readonly causeCode?: string;
    }
  | { readonly kind: 'unexpected-answer'; readonly code: undefined; readonly reason: UnexpectedAnswerReason; readonly status?: number }
  /** No UserSig could be had, so nothing was sent. */
  | { readonly kind: 'usersig'; readonly code: undefined; readonly reason: UserSigFailureReason };

export interface AttemptRecord {
  /** 1 for the first attempt of the call. */
  readonly attempt: number;
  /** The `random` this attempt carried: each attempt is signed anew. */
  readonly random: number;
  /** `hostname[:port]` the attempt was sent to. */
  readonly host: string;
  readonly endpoint: EndpointRole;
  /** Milliseconds waiting before sending: for a UserSig from the provider, the rate limit and the concurrency cap. */
  readonly queuedMs: number;
  /** Milliseconds from sending to the outcome (answer read, failure or timeout). */
  readonly durationMs: number;
  readonly outcome: AttemptOutcome;
}

export interface AttemptEvent extends AttemptRecord {
  readonly operationId: OperationId;
  /** The request URL with `usersig` redacted. */
  readonly url: string;
  /** What the client does next: retry (after `delayMs`, and why) or stop (and why). */
  readonly next: NextStep;
}

export type AttemptHook = (event: AttemptEvent) => void;

/** Calls the hook without letting it break the call (see hooks.ts). */
export function emitAttempt(hook: AttemptHook | undefined, event: AttemptEvent): void {
  callHook('onAttempt', hook, event);
}
