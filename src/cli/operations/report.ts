/**
 * How the outcome of one command reaches the user: the exit code, the JSON form printed by `--json` (everything the
 * client reported, so a script or the vendor's support gets the `random` of every attempt), and the readable form.
 */
import type { OperationId } from '../../../generated/operations.js';
import type { CallFailure } from '../../client/call-types.js';
import type { ApiError, NetworkError, RequestValidationError, UnclearOutcomeError, UnexpectedAnswerError, UserSigError } from '../../errors.js';
import { itemFailures } from '../../item-results.js';
import { ExitCode } from '../command.js';
import type { Performance } from './perform.js';

type CallError = CallFailure<OperationId>['error'];

/** The items of a batch answer (create, update, mark) that failed although the call succeeded. */
export function failedItems(performance: Performance): { path: string; code: number; info: string; meaning: string }[] {
  if (!performance.last.ok || performance.data === undefined) return [];
  return itemFailures(performance.data).map((failure) => ({ path: failure.path, code: failure.code, info: failure.info, meaning: failure.meaning }));
}

/**
 * A partial success (ErrorCode 0 with failed items) exits 1 like a business error: something asked for was not done.
 * An unclear outcome exits 0: the answer is one that the earlier, unanswered attempt's success would also explain
 * (e.g. "no such group" after a lost answer to a delete), so the state the user asked for holds either way.
 */
export function exitCodeOf(performance: Performance): ExitCode {
  const { last } = performance;
  if (last.ok) return performance.pagingProblem === undefined && failedItems(performance).length === 0 ? ExitCode.ok : ExitCode.failure;
  switch (last.error.kind) {
    case 'api':
      return ExitCode.failure;
    case 'unclear':
      return ExitCode.ok;
    case 'validation':
      return ExitCode.usage;
    case 'network':
      return ExitCode.network;
    case 'unexpected-answer':
    case 'usersig':
      // Not a passing network problem: the same request would get the same answer, so something must be fixed.
      return ExitCode.failure;
  }
}

/** The error as plain JSON: every field a script may branch on, and the message a person would read. */
export function errorJson(error: CallError): Record<string, unknown> {
  switch (error.kind) {
    case 'api':
      return apiErrorJson(error);
    case 'network':
      return networkErrorJson(error);
    case 'unclear':
      return unclearJson(error);
    case 'validation':
      return validationJson(error);
    case 'unexpected-answer':
    case 'usersig':
      return reasonedJson(error);
  }
}

function reasonedJson(error: UnexpectedAnswerError | UserSigError): Record<string, unknown> {
  return {
    kind: error.kind,
    code: null,
    reason: error.reason,
    ...(error.kind === 'unexpected-answer' && error.status !== undefined ? { status: error.status } : {}),
    ...(error.kind === 'unexpected-answer' && error.location !== undefined ? { location: error.location } : {}),
    ...(error.kind === 'unexpected-answer' && error.limitBytes !== undefined ? { limitBytes: error.limitBytes } : {}),
    meaning: error.meaning,
    hint: error.hint,
    retryable: error.retryable,
    message: error.message,
  };
}

function apiErrorJson(error: ApiError): Record<string, unknown> {
  return {
    kind: error.kind,
    code: error.code,
    info: error.info,
    ...(error.display === undefined ? {} : { display: error.display }),
    meaning: error.meaning,
    retryable: error.retryable,
    strategy: error.strategy,
    scope: error.scope,
    documented: error.documented,
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    message: error.message,
  };
}

function networkErrorJson(error: NetworkError): Record<string, unknown> {
  return {
    kind: error.kind,
    code: null,
    reason: error.reason,
    delivery: error.delivery,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.causeCode === undefined ? {} : { causeCode: error.causeCode }),
    meaning: error.meaning,
    retryable: error.retryable,
    message: error.message,
  };
}

function unclearJson(error: UnclearOutcomeError): Record<string, unknown> {
  return {
    kind: error.kind,
    code: error.code,
    info: error.answer.info,
    possibleEffect: error.possibleEffect,
    unanswered: error.unanswered,
    meaning: error.meaning,
    message: error.message,
  };
}

function validationJson(error: RequestValidationError): Record<string, unknown> {
  return {
    kind: error.kind,
    code: error.code,
    field: error.field,
    rule: error.rule,
    violations: error.violations.map((violation) => ({ field: violation.field, rule: violation.rule, message: violation.message, errorCode: violation.errorCode })),
    message: error.message,
  };
}

/** What `--json` prints for a command that is not a bulk run. */
export function performanceJson(command: string, request: Readonly<Record<string, unknown>>, performance: Performance): Record<string, unknown> {
  const { last, calls } = performance;
  const attempts = calls.flatMap((call) => call.attempts);
  const failed = failedItems(performance);
  return {
    ok: last.ok && performance.pagingProblem === undefined && failed.length === 0,
    command,
    operationId: last.operationId,
    request,
    ...(last.ok ? { data: performance.data } : { error: errorJson(last.error) }),
    ...(failed.length === 0 ? {} : { partial: true, failedItems: failed }),
    ...(performance.pagingProblem === undefined ? {} : { pagingProblem: performance.pagingProblem }),
    ...(last.random === undefined ? {} : { random: last.random }),
    attempts,
    ...(last.host === undefined ? {} : { host: last.host, endpoint: last.endpoint }),
    ...(calls.length > 1 ? { pages: calls.map((call) => ({ random: call.random, attempts: call.attempts.length })) } : {}),
  };
}

/** "random 123 · 2 attempts · host" — the facts a support ticket needs, on one line. */
export function callFacts(performance: Performance): string {
  const { last, calls } = performance;
  const attempts = calls.reduce((sum, call) => sum + call.attempts.length, 0);
  const parts = [
    ...(last.random === undefined ? [] : [`random ${last.random}`]),
    `${attempts} attempt${attempts === 1 ? '' : 's'}`,
    ...(calls.length > 1 ? [`${calls.length} pages`] : []),
    ...(last.host === undefined ? [] : [`${last.host}${last.endpoint === 'backup' ? ' (backup host)' : ''}`]),
  ];
  return parts.join(' · ');
}
