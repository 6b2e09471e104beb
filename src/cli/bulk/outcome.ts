/**
 * What one user's call came to, as a line of the results file. The outcome names say what an operator must do next:
 * nothing (`ok`, `unclear`, `possibly-done-earlier`), fix something and retry (`api-error`, `partial`, `invalid`,
 * `incomplete`, `unexpected-answer`, `usersig`), or just retry (`network`).
 */
import type { OperationId } from '../../../generated/operations.js';
import type { CallResult } from '../../client/call-types.js';
import { possibleEarlierEffect } from '../../client/policy.js';
import { failedItems } from '../operations/report.js';
import type { Performance } from '../operations/perform.js';

export type OutcomeKind =
  /** ErrorCode 0. */
  | 'ok'
  /** Within this call an attempt got no answer, and the final answer is one its success would explain. */
  | 'unclear'
  /**
   * An earlier run was cut off (crash, second Ctrl-C) while this user's call was under way, or ended for it with
   * no answer, and the call now answers what that earlier call's success would explain (the operation's
   * `x-already-done-answers`, e.g. "no such group" for a delete).
   */
  | 'possibly-done-earlier'
  /** A non-zero ErrorCode. */
  | 'api-error'
  /** ErrorCode 0, but some items of a batch answer (create, update, mark) failed. */
  | 'partial'
  /** The request broke the spec and was not sent. */
  | 'invalid'
  /** A paged read stopped before its last page. */
  | 'incomplete'
  /** No answer after the client's retries. */
  | 'network'
  /** Something other than the service's envelope answered (a redirect, an oversized or unreadable body): check the set-up. */
  | 'unexpected-answer'
  /** The userSig provider gave no UserSig, so nothing was sent. */
  | 'usersig';

/** Outcomes after which the state asked for holds: nothing to do, and a resume never runs them again. */
export const DONE_OUTCOMES: ReadonlySet<OutcomeKind> = new Set(['ok', 'unclear', 'possibly-done-earlier']);

export interface ResultLine {
  readonly type: 'result';
  readonly user: string;
  readonly outcome: OutcomeKind;
  /** The call succeeded (ErrorCode 0). */
  readonly ok: boolean;
  /** The state asked for holds (see DONE_OUTCOMES). */
  readonly done: boolean;
  /** The ErrorCode; null when no answer came back. */
  readonly code: number | null;
  /** ErrorInfo, or what went wrong when there is none. */
  readonly info: string;
  /** The `random` of the last attempt, which identifies it to the vendor's support; absent when nothing was sent. */
  readonly random?: number;
  /** Attempts made, retries included. */
  readonly attempts: number;
  /** Milliseconds from taking the user to the outcome, waits for the rate limit included. */
  readonly ms: number;
  /** When the outcome was known (ISO 8601, UTC). */
  readonly at: string;
  readonly [detail: string]: unknown;
}

/** How a summary counts a line: the outcome, with the ErrorCode or the network reason where there is one. */
export function tallyKey(line: { readonly outcome: OutcomeKind; readonly code: number | null; readonly reason?: unknown }): string {
  if (line.outcome === 'ok') return 'ok';
  if (line.outcome === 'network' || line.outcome === 'unexpected-answer' || line.outcome === 'usersig') {
    return `${line.outcome} ${typeof line.reason === 'string' ? line.reason : 'failure'}`;
  }
  return line.code === null ? line.outcome : `${line.outcome} ${line.code}`;
}

export function outcomeOfKey(key: string): OutcomeKind {
  return key.split(' ', 1)[0] as OutcomeKind;
}

/** One compact entry per attempt, for lines of calls that needed more than one. */
function history(calls: readonly CallResult<OperationId>[]): { random: number; outcome: number | string }[] {
  return calls.flatMap((call) =>
    call.attempts.map((attempt) => ({
      random: attempt.random,
      outcome:
        attempt.outcome.kind === 'network'
          ? attempt.outcome.status === undefined
            ? attempt.outcome.reason
            : `http ${attempt.outcome.status}`
          : attempt.outcome.code ?? attempt.outcome.reason,
    })),
  );
}

/** Without the envelope fields the line already has. */
function answerFields(data: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const { ActionStatus: _status, ErrorCode: _code, ErrorInfo: _info, ErrorDisplay: _display, ...rest } = data;
  return Object.keys(rest).length === 0 ? undefined : rest;
}

/**
 * @param request the request this user's call sent (an already-done answer may hold for some kinds of request only).
 * @param mayHaveActedEarlier the user's call was under way when an earlier run was cut off, or ended there without an
 *   answer, so an earlier request of it may have done the work.
 */
export function resultLine(
  user: string,
  performed: Performance,
  request: Readonly<Record<string, unknown>>,
  mayHaveActedEarlier: boolean,
  startedAt: number,
): ResultLine {
  const { last, calls } = performed;
  const attempts = calls.reduce((sum, call) => sum + call.attempts.length, 0);
  const common = {
    type: 'result' as const,
    user,
    ...(last.random === undefined ? {} : { random: last.random }),
    attempts,
    ms: Math.round(performance.now() - startedAt),
    at: new Date().toISOString(),
    ...(attempts > 1 ? { history: history(calls) } : {}),
  };
  if (last.ok) {
    const data = performed.data === undefined ? undefined : answerFields(performed.data);
    if (performed.pagingProblem !== undefined) {
      return { ...common, outcome: 'incomplete', ok: false, done: false, code: 0, info: performed.pagingProblem, ...(data === undefined ? {} : { data }) };
    }
    const failed = failedItems(performed);
    if (failed.length > 0) {
      const codes = [...new Set(failed.map((item) => item.code))].join(', ');
      return { ...common, outcome: 'partial', ok: false, done: false, code: 0, info: `${failed.length} item(s) failed (${codes})`, failedItems: failed, ...(data === undefined ? {} : { data }) };
    }
    return { ...common, outcome: 'ok', ok: true, done: true, code: 0, info: '', ...(data === undefined ? {} : { data }) };
  }
  const { error } = last;
  switch (error.kind) {
    case 'api': {
      const effect = mayHaveActedEarlier ? possibleEarlierEffect(last.operationId, request, error.code) : undefined;
      if (effect !== undefined) {
        return { ...common, outcome: 'possibly-done-earlier', ok: false, done: true, code: error.code, info: error.info, effect: `${effect} by a call of an earlier run` };
      }
      return { ...common, outcome: 'api-error', ok: false, done: false, code: error.code, info: error.info, meaning: error.meaning, retryable: error.retryable };
    }
    case 'unclear':
      return { ...common, outcome: 'unclear', ok: false, done: true, code: error.code, info: error.answer.info, effect: `${error.possibleEffect} by an unanswered attempt of this call` };
    case 'validation':
      return { ...common, outcome: 'invalid', ok: false, done: false, code: error.code, info: error.violations.map((violation) => violation.message).join('; ') };
    case 'network':
      return {
        ...common,
        outcome: 'network',
        ok: false,
        done: false,
        code: null,
        info: error.meaning,
        reason: error.reason,
        delivery: error.delivery,
        ...(error.status === undefined ? {} : { status: error.status }),
        ...(error.causeCode === undefined ? {} : { causeCode: error.causeCode }),
      };
    case 'unexpected-answer':
    case 'usersig':
      return {
        ...common,
        outcome: error.kind,
        ok: false,
        done: false,
        code: null,
        info: `${error.meaning} Hint: ${error.hint}`,
        reason: error.reason,
        ...(error.kind === 'unexpected-answer' && error.status !== undefined ? { status: error.status } : {}),
      };
  }
}
