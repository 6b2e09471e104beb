/**
 * One attempt of a call: sign it (the cached UserSig, a fresh `random`), wait at the gate (rate limit, concurrency),
 * send it through openapi-fetch under a timeout, never following a redirect, and read the answer (its body as a
 * stream, up to `maxResponseBytes`) into a success, an ApiError, a NetworkError or an UnexpectedAnswerError; a UserSig
 * provider that fails ends it with a UserSigError. Retrying is the caller's business (see call.ts); this module only
 * reports what happened, and never rejects.
 *
 * This is the path every request takes, so it allocates little: the redacted URL is only built for failures and
 * events, and the timeout signal is shared (see flow/timeouts.ts).
 */
import { operations, type OperationId } from '../../generated/operations.js';
import { abortReason, isTimeoutReason, linkSignals, untilAborted } from './flow/abort.js';
import type { Clock } from './flow/clock.js';
import type { Endpoint } from './endpoints.js';
import { cancelBody, parseEnvelope, readBody, type Envelope, type TooLarge } from './answer-body.js';
import {
  ApiError,
  NetworkError,
  UnexpectedAnswerError,
  UserSigError,
  sanitizeCause,
  scrubJson,
  scrubText,
  userSigForms,
  type UnexpectedAnswerDetails,
  type UnexpectedAnswerReason,
} from '../errors.js';
import type { AttemptOutcome } from './events.js';
import { classifyRejection } from './network-failure.js';
import type { Pass, RequestGate } from './flow/gate.js';
import { replacesUserSig } from './policy.js';
import { signatureHint, type SigningSetUp } from './signature-hints.js';
import { randomUint32, redactedRequestUrl, signingQuery, signingValues, type SigningIdentity, type SigningValues } from './signing.js';
import type { TimeoutSignals } from './flow/timeouts.js';
import { UserSigUnavailableError, type UserSigSource } from './usersig-source.js';

/** openapi-fetch's `request`, typed loosely: the operation is only known at run time here. */
export type LooseRequest = (
  method: string,
  path: string,
  init: Record<string, unknown>,
) => Promise<{ data?: unknown; response: Response }>;

export interface AttemptDependencies {
  readonly send: LooseRequest;
  /** The fetch that sends; it gets the attempt's signal as `init.signal`. */
  readonly fetch: typeof globalThis.fetch;
  /**
   * Whether `fetch` is known to honour `init.signal` (the platform's own does). A custom one may not, so its
   * attempts also end by themselves when the signal aborts.
   */
  readonly trustsSignal: boolean;
  readonly identity: SigningIdentity & { readonly userSigs: UserSigSource };
  readonly gate: RequestGate;
  readonly timeouts: TimeoutSignals;
  readonly clock: Clock;
  /** The client's set-up, for the hints of UserSig errors. */
  readonly setUp: Omit<SigningSetUp, 'host' | 'reSigned'>;
  /** Reads the answer's body (see `answerReader`), made with `maxResponseBytes`. */
  readonly readAnswer: (sent: SentRequest) => Promise<SentRequest>;
  readonly maxResponseBytes: number;
}

export interface AttemptInput<Op extends OperationId> {
  readonly operationId: Op;
  readonly body: unknown;
  readonly endpoint: Endpoint;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  readonly headers: NonNullable<RequestInit['headers']> | undefined;
  /** Whether the call already replaced its UserSig once (changes the hint for an expired UserSig). */
  readonly reSigned: boolean;
}

export type AttemptAnswer<Op extends OperationId> =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly error: ApiError<Op> | NetworkError | UnexpectedAnswerError | UserSigError };

export interface AttemptReport<Op extends OperationId> {
  readonly random: number;
  readonly endpoint: Endpoint;
  readonly queuedMs: number;
  readonly durationMs: number;
  readonly answer: AttemptAnswer<Op>;
}

/** What openapi-fetch resolves to; `data` is then replaced by the body the client read (see `answerReader`). */
export interface SentRequest {
  data?: unknown;
  readonly response: Response;
}

/**
 * Reads the body of a 200 up to `limit` bytes into `data` (a string, or `TooLarge`); any other body is cancelled
 * unread. openapi-fetch is asked for the stream, so nothing was read before. Made once per client.
 */
export function answerReader(limit: number): (sent: SentRequest) => Promise<SentRequest> {
  return async (sent) => {
    const { response } = sent;
    if (response.status === 200 && !response.redirected) {
      sent.data = await readBody(response, limit);
    } else {
      cancelBody(response);
      sent.data = undefined;
    }
    return sent;
  };
}

/**
 * openapi-fetch reads the whole body of every answer that is not 2xx, with no limit. The client reads none of them
 * (the status says all it uses), so it cancels that body and hands openapi-fetch a copy without one.
 */
function withoutUnreadBody(response: Response): Response {
  if (response.ok || response.body === null || response.status < 200) return response;
  cancelBody(response);
  return new Response(null, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * Sends with the attempt's signal, never following a redirect, and, for a gated request, tells the gate as soon as
 * the answer's headers are in, which is when the service has certainly received it. Bound per attempt (cheaper than
 * a closure on this path).
 */
function fetchWith(fetch: typeof globalThis.fetch, signal: AbortSignal, pass: Pass, request: Request): Promise<Response> {
  const sent = fetch(request, { signal, redirect: 'manual' }).then(withoutUnreadBody);
  return pass.held ? sent.finally(pass.answered.bind(pass)) : sent;
}

/** The URL of an attempt with `usersig` redacted, for events and errors. */
export function attemptUrl(dependencies: AttemptDependencies, operationId: OperationId, report: Pick<AttemptReport<OperationId>, 'endpoint' | 'random'>): string {
  return redactedRequestUrl(report.endpoint.baseUrl, operations[operationId].path, dependencies.identity, report.random);
}

/** A redirect, whether the fetch handed it over (3xx), hid it (an opaque redirect) or followed it anyway. */
function isRedirect(response: Response): boolean {
  return response.redirected || response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400);
}

/** `hostname[:port]` of a URL, never its path or query (they could hold a UserSig); undefined when it is not one. */
function hostOf(url: string | null, base: string): string | undefined {
  if (url === null || url === '') return undefined;
  try {
    return new URL(url, base).host;
  } catch {
    return undefined;
  }
}

function redirectDetails(response: Response, endpoint: Endpoint): { status?: number; location?: string | undefined } {
  // A followed redirect shows only where it ended; a hidden one shows nothing.
  if (response.redirected) return { location: hostOf(response.url, endpoint.baseUrl) };
  if (response.type === 'opaqueredirect') return {};
  return { status: response.status, location: hostOf(response.headers.get('location'), endpoint.baseUrl) };
}

/**
 * Never rejects: every outcome, a UserSig provider that fails or hangs included, is reported. Only an
 * implementation fault of the client itself could make it throw.
 */
export async function runAttempt<Op extends OperationId>(
  dependencies: AttemptDependencies,
  input: AttemptInput<Op>,
): Promise<AttemptReport<Op>> {
  const { clock, identity } = dependencies;
  const { operationId, endpoint, signal: callerSignal } = input;
  const operation = operations[operationId];
  // Drawn first, so even an attempt that gets no UserSig or is aborted in the queue has the `random` it would have carried.
  const random = randomUint32();
  const queuedAt = clock.now();
  let signing: SigningValues;
  try {
    signing = await signingValues(identity, random, callerSignal);
  } catch (thrown) {
    const error = notSigned(dependencies, operationId, endpoint, random, thrown, callerSignal);
    return { random, endpoint, queuedMs: clock.now() - queuedAt, durationMs: 0, answer: { ok: false, error } };
  }
  const query = signingQuery(signing);

  let pass: Pass;
  try {
    const entered = dependencies.gate.enter(operationId, callerSignal);
    pass = entered instanceof Promise ? await entered : entered;
    if (callerSignal?.aborted) {
      // An ungated request passes at once even when the caller had already aborted; it must not be sent either.
      pass.release();
      throw abortReason(callerSignal);
    }
  } catch (thrown) {
    const error = notSent(dependencies, operationId, endpoint, random, thrown);
    return { random, endpoint, queuedMs: clock.now() - queuedAt, durationMs: 0, answer: { ok: false, error } };
  }

  const sentAt = clock.now();
  const queuedMs = sentAt - queuedAt;
  const timeout = dependencies.timeouts.lease(input.timeoutMs);
  const link = callerSignal === undefined ? undefined : linkSignals(callerSignal, timeout.signal);
  const signal = link === undefined ? timeout.signal : link.signal;
  let answer: SentRequest;
  try {
    const sending = dependencies
      .send(operation.method, operation.path, {
        baseUrl: endpoint.baseUrl,
        body: input.body,
        // The client reads the body itself, as a stream up to maxResponseBytes (see answerReader).
        parseAs: 'stream',
        redirect: 'manual',
        params: { query },
        // The signal goes to fetch as `init.signal`, the standard way, rather than onto the Request openapi-fetch
        // builds: tying a signal to a Request costs about a fifth of a call, and Node's fetch copies the Request and
        // would tie it again.
        fetch: fetchWith.bind(undefined, dependencies.fetch, signal, pass),
        ...(input.headers === undefined ? {} : { headers: input.headers }),
      })
      .then(dependencies.readAnswer);
    answer = await (dependencies.trustsSignal ? sending : link === undefined ? timeout.guard(sending) : untilAborted(sending, link.signal));
  } catch (thrown) {
    const durationMs = clock.now() - sentAt;
    const facts = classifyRejection(thrown, signal);
    const error = new NetworkError({
      operationId,
      reason: facts.reason,
      delivery: facts.delivery,
      causeCode: facts.causeCode,
      random,
      url: attemptUrl(dependencies, operationId, { endpoint, random }),
      cause: sanitizeCause(thrown, userSigForms(signing.userSig)),
    });
    return { random, endpoint, queuedMs, durationMs, answer: { ok: false, error } };
  } finally {
    timeout.done();
    link?.unlink();
    pass.release();
  }
  const durationMs = clock.now() - sentAt;
  return { random, endpoint, queuedMs, durationMs, answer: readAnswer(dependencies, input, signing, answer) };
}

/** The attempt got no UserSig: the caller aborted while waiting for it, or the provider failed. Nothing was sent. */
function notSigned(
  dependencies: AttemptDependencies,
  operationId: OperationId,
  endpoint: Endpoint,
  random: number,
  thrown: unknown,
  callerSignal: AbortSignal | undefined,
): NetworkError | UserSigError {
  if (callerSignal?.aborted) return notSent(dependencies, operationId, endpoint, random, thrown);
  const known = thrown instanceof UserSigUnavailableError;
  // The provider's own error, as a copy that keeps only what is safe to log (like transport errors).
  const cause: unknown = known ? thrown.cause : thrown;
  return new UserSigError({
    operationId,
    reason: known ? thrown.reason : 'provider-error',
    random,
    url: attemptUrl(dependencies, operationId, { endpoint, random }),
    ...(cause === undefined ? {} : { cause: sanitizeCause(cause, []) }),
  });
}

/** Aborted (or timed out by the caller's signal) before anything was sent. */
function notSent(dependencies: AttemptDependencies, operationId: OperationId, endpoint: Endpoint, random: number, thrown: unknown): NetworkError {
  return new NetworkError({
    operationId,
    reason: isTimeoutReason(thrown) ? 'timeout' : 'aborted',
    delivery: 'not-sent',
    random,
    url: attemptUrl(dependencies, operationId, { endpoint, random }),
  });
}

/** What an answer comes to: a success, an ApiError, a NetworkError (an HTTP status) or an unexpected answer. */
function readAnswer<Op extends OperationId>(
  dependencies: AttemptDependencies,
  input: AttemptInput<Op>,
  signing: SigningValues,
  sent: SentRequest,
): AttemptAnswer<Op> {
  const { operationId, endpoint } = input;
  const { random } = signing;
  const { response, data } = sent;
  const unexpected = (reason: UnexpectedAnswerReason, details: Partial<UnexpectedAnswerDetails>): AttemptAnswer<Op> => ({
    ok: false,
    error: new UnexpectedAnswerError({ operationId, reason, random, url: attemptUrl(dependencies, operationId, { endpoint, random }), ...details }),
  });
  if (isRedirect(response)) return unexpected('redirect', redirectDetails(response, endpoint));
  if (response.status !== 200) {
    const error = new NetworkError({
      operationId,
      reason: 'http-status',
      random,
      url: attemptUrl(dependencies, operationId, { endpoint, random }),
      status: response.status,
      statusText: scrubText(response.statusText, userSigForms(signing.userSig)),
    });
    return { ok: false, error };
  }
  if (typeof data !== 'string') {
    const { declaredBytes } = data as TooLarge;
    return unexpected('too-large', { status: 200, limitBytes: dependencies.maxResponseBytes, declaredBytes });
  }
  const envelope = parseEnvelope(data);
  if (typeof envelope === 'string') return unexpected(envelope, { status: 200 });
  if (envelope.ErrorCode === 0) return { ok: true, data: envelope };
  return apiFailure(dependencies, input, signing, envelope);
}

/** A non-zero ErrorCode. */
function apiFailure<Op extends OperationId>(
  dependencies: AttemptDependencies,
  input: AttemptInput<Op>,
  signing: SigningValues,
  envelope: Envelope,
): AttemptAnswer<Op> {
  const { operationId, endpoint } = input;
  const { random } = signing;
  // Anything that came back may echo the request; it is scrubbed of the UserSig in every spelling it was sent in.
  const secrets = userSigForms(signing.userSig);
  const error = new ApiError<Op>({
    operationId,
    code: envelope.ErrorCode,
    info: scrubText(typeof envelope.ErrorInfo === 'string' ? envelope.ErrorInfo : '', secrets),
    display: typeof envelope.ErrorDisplay === 'string' ? scrubText(envelope.ErrorDisplay, secrets) : undefined,
    random,
    body: scrubJson(envelope, secrets) as ApiError<Op>['body'],
    hint: signatureHint(envelope.ErrorCode, { ...dependencies.setUp, host: endpoint.host, reSigned: input.reSigned }),
  });
  // The next attempt or call then gets a new UserSig; the sig is named so a replacement fetched meanwhile is kept.
  if (replacesUserSig(error.strategy)) dependencies.identity.userSigs.invalidate(signing.userSig);
  return { ok: false, error };
}

const OK_OUTCOME: AttemptOutcome = Object.freeze({ kind: 'ok', code: 0 });

/** The compact form of an attempt's outcome for results and events. */
export function attemptOutcome(answer: AttemptAnswer<OperationId>): AttemptOutcome {
  if (answer.ok) return OK_OUTCOME;
  const { error } = answer;
  if (error.kind === 'api') return { kind: 'api', code: error.code };
  if (error.kind === 'unexpected-answer') {
    return { kind: 'unexpected-answer', code: undefined, reason: error.reason, ...(error.status === undefined ? {} : { status: error.status }) };
  }
  if (error.kind === 'usersig') return { kind: 'usersig', code: undefined, reason: error.reason };
  return {
    kind: 'network',
    code: undefined,
    reason: error.reason,
    delivery: error.delivery,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.causeCode === undefined ? {} : { causeCode: error.causeCode }),
  };
}
