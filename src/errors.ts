/**
 * The typed failures a call can end with. Every kind carries `code`, `meaning`, `retryable` and `strategy`, so a
 * caller can log or branch on a failure without first asking which kind it is; `kind` tells them apart.
 *
 * None of them ever holds a UserSig or a secret key: URLs are redacted, texts that came back from the network are
 * scrubbed of the UserSig that was sent, and a transport error is kept only as a sanitised copy (see `sanitizeCause`).
 */
import {
  errorCodes,
  type DocumentedErrorCode,
  type ErrorCodeInfo,
  type ErrorScope,
  type PublicErrorCode,
  type RetryStrategy,
  type operationErrorCodes,
} from '../generated/error-codes.js';
import { operations, type OperationId } from '../generated/operations.js';
import type { ResponseBody } from './client/bodies.js';
import { networkRetryable, type Delivery, type NetworkFailureReason } from './client/policy.js';
import type { Rule, Violation } from './validate.js';

/**
 * The ErrorCodes a failed call of `Op` can carry: the operation's own documented codes and the public ones, while an
 * undocumented code still type-checks (`number & {}` keeps the literals visible to editors instead of widening them).
 */
export type OperationCode<Op extends OperationId> =
  | (typeof operationErrorCodes)[Op][number]
  | PublicErrorCode
  | (number & {});

/** Any ErrorCode the service may answer, documented or not. */
export type AnyErrorCode = DocumentedErrorCode | (number & {});

export type ErrorKind = 'api' | 'network' | 'validation' | 'unclear' | 'unexpected-answer' | 'usersig';

const REDACTED = 'REDACTED';

/** Replaces the value of every `usersig` query parameter, so a URL can be logged or kept on an error. */
export function redactUrl(url: string): string {
  // A regular expression rather than URL parsing, so malformed or relative URLs are redacted too.
  return url.replace(/([?&]usersig=)[^&#]*/gi, `$1${REDACTED}`);
}

/**
 * The spellings a UserSig can take in a text: as made, and as percent-encoded into a query string by
 * `encodeURIComponent` or `URLSearchParams` (which differ on `*`), so an echoed URL cannot leak it in any of them.
 */
export function userSigForms(userSig: string): string[] {
  const forms = new Set([userSig, encodeURIComponent(userSig), new URLSearchParams({ s: userSig }).toString().slice(2)]);
  return [...forms].filter((form) => form.length > 0);
}

/** Replaces each secret (e.g. the UserSig that was sent) in a text, and redacts `usersig` parameters in it. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let scrubbed = redactUrl(text);
  for (const secret of secrets) {
    if (secret.length > 0) scrubbed = scrubbed.split(secret).join(REDACTED);
  }
  return scrubbed;
}

/**
 * Deep copy of a JSON value with every string scrubbed (a service could echo the UserSig in `ErrorInfo`). It walks
 * with a stack of its own rather than recursion, so no nesting depth can overflow the call stack, and it defines
 * keys rather than assigning them, so a `__proto__` key stays a plain own property of the copy.
 */
export function scrubJson<T>(value: T, secrets: readonly string[]): T {
  const scrub = (item: unknown): unknown => (typeof item === 'string' ? scrubText(item, secrets) : item);
  if (typeof value !== 'object' || value === null) return scrub(value) as T;
  const root: unknown = Array.isArray(value) ? [] : {};
  const pending: [source: object, copy: object][] = [[value, root as object]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, copy] = next;
    for (const [key, item] of Object.entries(source)) {
      let copied: unknown = scrub(item);
      if (typeof item === 'object' && item !== null) {
        copied = Array.isArray(item) ? [] : {};
        pending.push([item, copied as object]);
      }
      Object.defineProperty(copy, key, { value: copied, enumerable: true, writable: true, configurable: true });
    }
  }
  return root as T;
}

/**
 * A copy of a thrown value as a plain Error whose message, stack and cause chain are scrubbed. Transport errors may
 * quote the request URL (which carries the UserSig), and the original object cannot be edited safely, so the copy is
 * kept instead; `name` and a string or number `code` (e.g. `ECONNREFUSED`) survive.
 */
export function sanitizeCause(thrown: unknown, secrets: readonly string[], depth = 0): Error {
  if (!(thrown instanceof Error)) {
    return new Error(scrubText(describeThrown(thrown), secrets));
  }
  const nested = depth < 4 && thrown.cause !== undefined ? sanitizeCause(thrown.cause, secrets, depth + 1) : undefined;
  const copy = new Error(scrubText(thrown.message, secrets), nested === undefined ? undefined : { cause: nested });
  copy.name = thrown.name;
  if (thrown.stack === undefined) delete copy.stack;
  else copy.stack = scrubText(thrown.stack, secrets);
  const code: unknown = (thrown as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') {
    Object.defineProperty(copy, 'code', { value: code, enumerable: true });
  }
  return copy;
}

function describeThrown(thrown: unknown): string {
  if (typeof thrown === 'string') return thrown;
  try {
    return `non-Error value thrown: ${JSON.stringify(thrown) ?? String(thrown)}`;
  } catch {
    return 'non-Error value thrown';
  }
}

function vendorCommand(operationId: OperationId): string {
  return operations[operationId].vendorCommand;
}

function lookUp(code: number): ErrorCodeInfo | undefined {
  return (errorCodes as Readonly<Record<number, ErrorCodeInfo>>)[code];
}

/** What every failure has, whatever its kind. */
export abstract class ChatGroupsError extends Error {
  abstract readonly kind: ErrorKind;
  /**
   * The ErrorCode the service answered (`api`, `unclear`) or would answer (`validation`); `undefined` for `network`.
   */
  abstract readonly code: number | undefined;
  /** What the code means, from the spec's error table (or what went wrong on the network). */
  abstract readonly meaning: string;
  /** Whether the same request may be sent again (with a new `random`) after waiting. */
  abstract readonly retryable: boolean;
  abstract readonly strategy: RetryStrategy;
  readonly operationId: OperationId;

  constructor(operationId: OperationId, message: string, options?: { cause: Error }) {
    super(message, options);
    this.operationId = operationId;
  }
}

export interface ApiErrorDetails<Op extends OperationId> {
  operationId: Op;
  code: number;
  info: string;
  display?: string | undefined;
  random: number;
  /** The whole response body, for operations whose failures carry per-item results. */
  body: ResponseBody<Op>;
  /** What most likely caused the failure in this client's set-up (e.g. the key of another app); never a secret. */
  hint?: string | undefined;
}

/** The service answered HTTP 200 with a non-zero `ErrorCode`. */
export class ApiError<Op extends OperationId = OperationId> extends ChatGroupsError {
  override readonly name = 'ApiError';
  readonly kind = 'api' as const;
  override readonly operationId: Op;
  readonly code: OperationCode<Op>;
  /** `ErrorInfo` from the response. */
  readonly info: string;
  /** `ErrorDisplay` from the response, when the service sent one. */
  declare readonly display?: string;
  readonly meaning: string;
  readonly retryable: boolean;
  readonly strategy: RetryStrategy;
  /** `unknown` when the spec does not document the code. */
  readonly scope: ErrorScope | 'unknown';
  /** False when the spec does not document the code; the code is passed through unchanged. */
  readonly documented: boolean;
  /** The `random` query parameter of the request, which identifies it to the vendor's support. */
  readonly random: number;
  /** The whole response body (scrubbed), for operations whose failures carry per-item results. */
  readonly body: ResponseBody<Op>;
  /** For UserSig and app errors: what most likely went wrong in this client's set-up. Also in `message`. */
  declare readonly hint?: string;

  constructor(details: ApiErrorDetails<Op>) {
    const known = lookUp(details.code);
    const meaning = known?.meaning ?? 'The spec does not document this error code; ErrorInfo may say more.';
    const hint = details.hint === undefined ? '' : ` Likely cause: ${details.hint}`;
    super(
      details.operationId,
      `${vendorCommand(details.operationId)} failed with ${details.code}: ${meaning} (ErrorInfo: ${details.info}; random ${details.random})${hint}`,
    );
    if (details.hint !== undefined) this.hint = details.hint;
    this.operationId = details.operationId;
    this.code = details.code as OperationCode<Op>;
    this.info = details.info;
    if (details.display !== undefined) this.display = details.display;
    this.meaning = meaning;
    this.retryable = known?.retryable ?? false;
    this.strategy = known?.strategy ?? 'none';
    this.scope = known?.scope ?? 'unknown';
    this.documented = known !== undefined;
    this.random = details.random;
    this.body = details.body;
  }
}

export type { Delivery, NetworkFailureReason } from './client/policy.js';

const networkMeanings: Record<NetworkFailureReason, string> = {
  'http-status': 'The service or a gateway answered with an HTTP status other than 200, so no result came back.',
  connection: 'The request could not be sent or its answer could not be read.',
  timeout: 'No answer came back in time.',
  aborted: 'The request was aborted by its caller.',
};

/** What a failure of one attempt without an ErrorCode records of the attempt, whatever went wrong. */
export interface AttemptFailureDetails {
  operationId: OperationId;
  random: number;
  /** The request URL; it is stored redacted. */
  url: string;
  /** The HTTP status, when an answer was seen. */
  status?: number | undefined;
}

export interface NetworkErrorDetails extends AttemptFailureDetails {
  reason: NetworkFailureReason;
  /** Default `unknown`. */
  delivery?: Delivery | undefined;
  statusText?: string | undefined;
  /** Already sanitised (see `sanitizeCause`). */
  cause?: Error | undefined;
  /** The system error code found in the cause chain, e.g. `ENOTFOUND` or `ECONNREFUSED`. */
  causeCode?: string | undefined;
}

/**
 * No result envelope came back. Unless `delivery` is `not-sent`, whether the service acted on the request is
 * unknown, so a retry of a delete may get "no such group" although the first attempt succeeded (the client then reports an
 * `UnclearOutcomeError`). There is no ErrorCode, so `code` is always `undefined`.
 */
export class NetworkError extends ChatGroupsError {
  override readonly name = 'NetworkError';
  readonly kind = 'network' as const;
  readonly code = undefined;
  readonly reason: NetworkFailureReason;
  readonly delivery: Delivery;
  /** The HTTP status, for `http-status`. */
  declare readonly status?: number;
  /** The system error code of the cause, e.g. `ENOTFOUND` (DNS) or `ECONNREFUSED`. */
  declare readonly causeCode?: string;
  readonly meaning: string;
  /** True for connection failures, timeouts and HTTP 502/503/504. */
  readonly retryable: boolean;
  readonly strategy: RetryStrategy;
  readonly random: number;
  /** The request URL with the UserSig redacted. */
  readonly url: string;

  constructor(details: NetworkErrorDetails) {
    const meaning = networkMeanings[details.reason];
    const delivery = details.delivery ?? 'unknown';
    const status =
      details.status === undefined ? '' : ` (HTTP ${details.status}${details.statusText ? ` ${details.statusText}` : ''})`;
    const explained = details.cause === undefined ? meaning : `${meaning.replace(/\.$/, '')} (${details.cause.message}).`;
    const sent = delivery === 'not-sent' ? ' It never reached the service.' : '';
    super(
      details.operationId,
      `${vendorCommand(details.operationId)} failed on the network${status}: ${explained}${sent} (random ${details.random})`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.reason = details.reason;
    this.delivery = delivery;
    if (details.status !== undefined) this.status = details.status;
    if (details.causeCode !== undefined) this.causeCode = details.causeCode;
    this.meaning = meaning;
    this.retryable = networkRetryable(details.reason, details.status);
    this.strategy = this.retryable ? 'backoff' : 'none';
    this.random = details.random;
    this.url = redactUrl(details.url);
  }
}

/** An earlier attempt of a call whose outcome is unknown (see `UnclearOutcomeError`). */
export interface UnansweredAttempt {
  /** 1 for the first attempt of the call. */
  readonly attempt: number;
  readonly random: number;
  readonly reason: NetworkFailureReason;
  readonly status?: number;
}

function unansweredBecause(attempt: UnansweredAttempt): string {
  if (attempt.status !== undefined) return `HTTP ${attempt.status}`;
  if (attempt.reason === 'timeout') return 'timed out';
  if (attempt.reason === 'connection') return 'connection lost';
  return attempt.reason;
}

export interface UnclearOutcomeDetails<Op extends OperationId> {
  /** The final answer, e.g. "group not found". */
  answer: ApiError<Op>;
  /** Earlier attempts of the call that got no answer and may have been carried out. */
  unanswered: readonly [UnansweredAttempt, ...UnansweredAttempt[]];
  /** What the unanswered attempt may have done, e.g. "the conversation group may have been deleted". */
  possibleEffect: string;
}

/**
 * Neither a success nor a plain failure: an attempt got no answer (it timed out, lost its connection or met a
 * gateway error), and a retry then got an answer that an earlier success would also explain, e.g. "group not
 * found" when deleting. The group is gone either way, but whether this call deleted it cannot be known. `code` and
 * `answer` hold that final answer; `unanswered` lists the attempts that may have acted.
 */
export class UnclearOutcomeError<Op extends OperationId = OperationId> extends ChatGroupsError {
  override readonly name = 'UnclearOutcomeError';
  readonly kind = 'unclear' as const;
  override readonly operationId: Op;
  readonly code: OperationCode<Op>;
  readonly meaning: string;
  /** Sending it again would only get the same answer. */
  readonly retryable = false as const;
  readonly strategy: RetryStrategy = 'none';
  readonly answer: ApiError<Op>;
  readonly unanswered: readonly [UnansweredAttempt, ...UnansweredAttempt[]];
  readonly possibleEffect: string;
  /** The `random` of the last attempt, the one that got `answer`. */
  readonly random: number;

  constructor(details: UnclearOutcomeDetails<Op>) {
    const { answer, unanswered, possibleEffect } = details;
    const earlier = unanswered.map((attempt) => `attempt ${attempt.attempt} (random ${attempt.random}, ${unansweredBecause(attempt)})`).join(', ');
    const meaning = `The service answered ${answer.code} (${answer.meaning.replace(/\.$/, '')}), but ${earlier} got no answer, so ${possibleEffect} by that attempt.`;
    super(answer.operationId, `${vendorCommand(answer.operationId)} outcome unclear: ${meaning} (random ${answer.random})`);
    this.operationId = answer.operationId;
    this.code = answer.code;
    this.meaning = meaning;
    this.answer = answer;
    this.unanswered = unanswered;
    this.possibleEffect = possibleEffect;
    this.random = answer.random;
  }
}

/** The request breaks the spec, so it was not sent. `code` is what the service would have answered. */
export class RequestValidationError extends ChatGroupsError {
  override readonly name = 'RequestValidationError';
  readonly kind = 'validation' as const;
  /** Every violation found, in document order; the properties below describe the first. */
  readonly violations: readonly Violation[];
  readonly field: string;
  readonly rule: Rule;
  readonly code: AnyErrorCode;
  readonly meaning: string;
  readonly retryable = false as const;
  readonly strategy: RetryStrategy = 'none';

  constructor(operationId: OperationId, violations: readonly [Violation, ...Violation[]]) {
    const [first] = violations;
    const list = violations
      .map((violation) => `${violation.message} (rule ${violation.rule}, ErrorCode ${violation.errorCode})`)
      .join('; ');
    super(operationId, `${vendorCommand(operationId)} request not sent: ${list}`);
    this.violations = violations;
    this.field = first.field;
    this.rule = first.rule;
    this.code = first.errorCode;
    this.meaning = lookUp(first.errorCode)?.meaning ?? `The request breaks the rule ${first.rule} of the spec.`;
  }
}

/**
 * Why an answer came back that is not the service's JSON result envelope: a redirect (the API never redirects, and
 * the client never follows one, as that would hand the request to another host), a body over `maxResponseBytes`, a
 * 200 whose body is not JSON, JSON that is not the envelope (not an object, or `ErrorCode` not an integer, or an
 * envelope field of the wrong type), or JSON nested deeper than any answer of the spec (`MAX_ANSWER_DEPTH`).
 */
export type UnexpectedAnswerReason = 'redirect' | 'too-large' | 'not-json' | 'not-envelope' | 'too-deep';

const unexpectedMeanings: Record<UnexpectedAnswerReason, string> = {
  redirect: 'The answer is an HTTP redirect, which the service never sends; the client does not follow redirects.',
  'too-large': 'The answer is larger than the client accepts (maxResponseBytes); it was not read to its end.',
  'not-json': 'The answer has HTTP status 200, but its body is not JSON.',
  'not-envelope': 'The answer is JSON, but not the result envelope (an object with an integer ErrorCode and string ActionStatus, ErrorInfo and ErrorDisplay).',
  'too-deep': 'The answer is JSON nested deeper than any answer the spec documents.',
};

const unexpectedHints: Record<UnexpectedAnswerReason, string> = {
  redirect: 'check baseUrl or region: a proxy or a moved host answers with redirects, and following one would send the request, UserSig included, to another host.',
  'too-large': 'check baseUrl or region (something other than the service may be answering), or raise maxResponseBytes if answers of this size are expected.',
  'not-json': 'check baseUrl or region: something other than the service (a proxy, a captive portal, another server) answered.',
  'not-envelope': 'check baseUrl or region: something other than the service answered, or the service changed its answer format.',
  'too-deep': 'check baseUrl or region: something other than the service answered.',
};

export interface UnexpectedAnswerDetails extends AttemptFailureDetails {
  /** `status` is absent for a redirect the fetch hid (an opaque redirect) or one it followed anyway. */
  reason: UnexpectedAnswerReason;
  /** `redirect`: `hostname[:port]` of the redirect target (never its path or query). */
  location?: string | undefined;
  /** `too-large`: the limit in bytes. */
  limitBytes?: number | undefined;
  /** `too-large`: the size the answer declared in Content-Length, when it did. */
  declaredBytes?: number | undefined;
}

/**
 * Something answered, but not with the service's result envelope: a redirect, an answer over `maxResponseBytes`, or
 * a body that is not the envelope. Never retried: the same request would get the same answer, which is most likely
 * a set-up problem (`hint` says what to check). The request may have reached the service, so its effect is unknown.
 */
export class UnexpectedAnswerError extends ChatGroupsError {
  override readonly name = 'UnexpectedAnswerError';
  readonly kind = 'unexpected-answer' as const;
  readonly code = undefined;
  readonly reason: UnexpectedAnswerReason;
  /** The HTTP status of the answer, when there was one to see. */
  declare readonly status?: number;
  /** `redirect`: `hostname[:port]` the answer redirected to; path and query are left out, as they could hold secrets. */
  declare readonly location?: string;
  /** `too-large`: the limit in bytes (`maxResponseBytes`). */
  declare readonly limitBytes?: number;
  /** `too-large`: the size declared in Content-Length, when the answer declared one. */
  declare readonly declaredBytes?: number;
  readonly meaning: string;
  readonly retryable = false as const;
  readonly strategy: RetryStrategy = 'none';
  /** What to check or change. Also in `message`. */
  readonly hint: string;
  readonly random: number;
  /** The request URL with the UserSig redacted. */
  readonly url: string;

  constructor(details: UnexpectedAnswerDetails) {
    const meaning = unexpectedMeanings[details.reason];
    const facts = [
      ...(details.status === undefined ? [] : [`HTTP ${details.status}`]),
      ...(details.location === undefined ? [] : [`location ${details.location}`]),
      ...(details.declaredBytes === undefined ? [] : [`${details.declaredBytes} bytes declared`]),
      ...(details.limitBytes === undefined ? [] : [`limit ${details.limitBytes} bytes`]),
    ];
    const detail = facts.length === 0 ? '' : ` (${facts.join(', ')})`;
    const hint = unexpectedHints[details.reason];
    super(
      details.operationId,
      `${vendorCommand(details.operationId)} got an unexpected answer${detail}: ${meaning} Hint: ${hint} (random ${details.random})`,
    );
    this.reason = details.reason;
    if (details.status !== undefined) this.status = details.status;
    if (details.location !== undefined) this.location = details.location;
    if (details.limitBytes !== undefined) this.limitBytes = details.limitBytes;
    if (details.declaredBytes !== undefined) this.declaredBytes = details.declaredBytes;
    this.meaning = meaning;
    this.hint = hint;
    this.random = details.random;
    this.url = redactUrl(details.url);
  }
}

/**
 * Why the `userSig` provider gave no UserSig: it did not settle within `userSigTimeoutMs`, it threw or rejected
 * (`provider-error`, its error is the `cause`), or it returned something other than a non-empty string.
 */
export type UserSigFailureReason = 'timeout' | 'provider-error' | 'invalid-value';

const userSigMeanings: Record<UserSigFailureReason, string> = {
  timeout: 'The userSig provider did not return a UserSig in time (userSigTimeoutMs).',
  'provider-error': 'The userSig provider threw or rejected.',
  'invalid-value': 'The userSig provider returned something other than a non-empty string.',
};

const userSigHints: Record<UserSigFailureReason, string> = {
  timeout: 'check the signing service the provider calls, or raise userSigTimeoutMs; the next call asks the provider again.',
  'provider-error': "see the provider's error (the cause); the next call asks the provider again.",
  'invalid-value': 'the provider must return a UserSig string, or a promise of one.',
};

export interface UserSigErrorDetails {
  operationId: OperationId;
  reason: UserSigFailureReason;
  /** The `random` the attempt would have carried. */
  random: number;
  /** The request URL; it is stored redacted. */
  url: string;
  /** For `provider-error`: the provider's error, already sanitised (see `sanitizeCause`). */
  cause?: Error | undefined;
}

/** No UserSig could be had from the `userSig` provider, so nothing was sent. Never retried within the call. */
export class UserSigError extends ChatGroupsError {
  override readonly name = 'UserSigError';
  readonly kind = 'usersig' as const;
  readonly code = undefined;
  readonly reason: UserSigFailureReason;
  /** Nothing was sent. */
  readonly delivery = 'not-sent' as const;
  readonly meaning: string;
  readonly retryable = false as const;
  readonly strategy: RetryStrategy = 'none';
  /** What to check or change. Also in `message`. */
  readonly hint: string;
  readonly random: number;
  /** The request URL with the UserSig redacted. */
  readonly url: string;

  constructor(details: UserSigErrorDetails) {
    const meaning = userSigMeanings[details.reason];
    const hint = userSigHints[details.reason];
    const cause = details.cause === undefined ? '' : ` (${details.cause.message})`;
    super(
      details.operationId,
      `${vendorCommand(details.operationId)} not sent: ${meaning.replace(/\.$/, '')}${cause}. Hint: ${hint} (random ${details.random})`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.reason = details.reason;
    this.meaning = meaning;
    this.hint = hint;
    this.random = details.random;
    this.url = redactUrl(details.url);
  }
}

/** The rules `createChatGroupsClient` checks its options against. */
export class ClientOptionsError extends TypeError {
  override readonly name = 'ClientOptionsError';
  readonly option: string;
  readonly rule: string;

  constructor(option: string, rule: string) {
    // Only the option's name and the rule: a value (e.g. a secret key in the wrong option) is never repeated.
    super(`Invalid chat groups client option ${option}: ${rule}`);
    this.option = option;
    this.rule = rule;
  }
}
