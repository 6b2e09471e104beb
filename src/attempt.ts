/**
 * One attempt of a call: sign it (the cached UserSig, a fresh `random`), wait at the gate (rate limit, concurrency),
 * send it through openapi-fetch under a timeout, and read the answer into a success, an ApiError or a NetworkError.
 * Retrying is the caller's business (see call.ts); this module only reports what happened.
 *
 * This is the path every request takes, so it allocates little: the redacted URL is only built for failures and
 * events, and the timeout signal is shared (see timeout-signals.ts).
 */
import { operations, type OperationId } from '../generated/operations.js';
import { abortReason, isTimeoutReason, linkSignals } from './abort.js';
import type { Clock } from './clock.js';
import type { Endpoint } from './endpoints.js';
import { ApiError, NetworkError, sanitizeCause, scrubJson, scrubText, userSigForms } from './errors.js';
import type { AttemptOutcome } from './events.js';
import { classifyRejection } from './network-failure.js';
import type { Pass, RequestGate } from './request-gate.js';
import { signatureHint, type SigningSetUp } from './signature-hints.js';
import { randomUint32, redactedRequestUrl, signingQuery, type SigningIdentity, type SigningValues } from './signing.js';
import type { TimeoutSignals } from './timeout-signals.js';
import type { UserSigSource } from './usersig-source.js';

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
  | { readonly ok: false; readonly error: ApiError<Op> | NetworkError };

export interface AttemptReport<Op extends OperationId> {
  readonly random: number;
  readonly endpoint: Endpoint;
  readonly queuedMs: number;
  readonly durationMs: number;
  readonly answer: AttemptAnswer<Op>;
}

interface Envelope {
  readonly ErrorCode: number;
  readonly ErrorInfo?: unknown;
  readonly ErrorDisplay?: unknown;
}

function parseEnvelope(text: unknown): Envelope | undefined {
  if (typeof text !== 'string') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return Number.isInteger((value as { ErrorCode?: unknown }).ErrorCode) ? (value as Envelope) : undefined;
}

/**
 * Sends with the attempt's signal and, for a gated request, tells the gate as soon as the answer's headers are in,
 * which is when the service has certainly received it. Bound per attempt (cheaper than a closure on this path).
 */
function fetchWith(fetch: typeof globalThis.fetch, signal: AbortSignal, pass: Pass, request: Request): Promise<Response> {
  const sent = fetch(request, { signal });
  return pass.held ? sent.finally(pass.answered.bind(pass)) : sent;
}

/**
 * Settles like `sending`, or rejects with the signal's reason as soon as it aborts: a fetch that ignores the signal
 * must not keep an attempt past its timeout or its caller's abort (it is left to finish on its own).
 */
function untilAborted<T>(sending: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([sending, aborted]).finally(() => signal.removeEventListener('abort', onAbort as () => void));
}

/** The URL of an attempt with `usersig` redacted, for events and errors. */
export function attemptUrl(dependencies: AttemptDependencies, operationId: OperationId, report: Pick<AttemptReport<OperationId>, 'endpoint' | 'random'>): string {
  return redactedRequestUrl(report.endpoint.baseUrl, operations[operationId].path, dependencies.identity, report.random);
}

/** Rejects only when no UserSig can be had (the provider failed): nothing was sent, and it is not a network outcome. */
export async function runAttempt<Op extends OperationId>(
  dependencies: AttemptDependencies,
  input: AttemptInput<Op>,
): Promise<AttemptReport<Op>> {
  const { clock, identity } = dependencies;
  const { operationId, endpoint, signal: callerSignal } = input;
  const operation = operations[operationId];
  // Signed before queueing, so even an attempt aborted in the queue has the `random` it would have carried.
  const signing: SigningValues = { sdkAppId: identity.sdkAppId, identifier: identity.identifier, userSig: await identity.userSigs.get(), random: randomUint32() };
  const { random } = signing;
  const query = signingQuery(signing);

  const queuedAt = clock.now();
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
    const error = new NetworkError({
      operationId,
      reason: isTimeoutReason(thrown) ? 'timeout' : 'aborted',
      delivery: 'not-sent',
      random,
      url: attemptUrl(dependencies, operationId, { endpoint, random }),
    });
    return { random, endpoint, queuedMs: clock.now() - queuedAt, durationMs: 0, answer: { ok: false, error } };
  }

  const sentAt = clock.now();
  const queuedMs = sentAt - queuedAt;
  const timeout = dependencies.timeouts.lease(input.timeoutMs);
  const link = callerSignal === undefined ? undefined : linkSignals(callerSignal, timeout.signal);
  const signal = link === undefined ? timeout.signal : link.signal;
  let answer: { data?: unknown; response: Response };
  try {
    const sending = dependencies.send(operation.method, operation.path, {
      baseUrl: endpoint.baseUrl,
      body: input.body,
      parseAs: 'text',
      params: { query },
      // The signal goes to fetch as `init.signal`, the standard way, rather than onto the Request openapi-fetch
      // builds: tying a signal to a Request costs about a fifth of a call, and Node's fetch copies the Request and
      // would tie it again.
      fetch: fetchWith.bind(undefined, dependencies.fetch, signal, pass),
      ...(input.headers === undefined ? {} : { headers: input.headers }),
    });
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

  const { response, data } = answer;
  const envelope = response.status === 200 ? parseEnvelope(data) : undefined;
  if (envelope !== undefined && envelope.ErrorCode === 0) {
    return { random, endpoint, queuedMs, durationMs, answer: { ok: true, data: envelope } };
  }
  return { random, endpoint, queuedMs, durationMs, answer: failedAnswer(dependencies, input, signing, response, envelope) };
}

/** An answer that is not a success: no envelope (HTTP status, bad body) or a non-zero ErrorCode. */
function failedAnswer<Op extends OperationId>(
  dependencies: AttemptDependencies,
  input: AttemptInput<Op>,
  signing: SigningValues,
  response: Response,
  envelope: Envelope | undefined,
): AttemptAnswer<Op> {
  const { operationId, endpoint } = input;
  const { random } = signing;
  const url = attemptUrl(dependencies, operationId, { endpoint, random });
  // Anything that came back may echo the request; it is scrubbed of the UserSig in every spelling it was sent in.
  const secrets = userSigForms(signing.userSig);
  if (envelope === undefined) {
    const error = new NetworkError({
      operationId,
      reason: response.status === 200 ? 'invalid-body' : 'http-status',
      random,
      url,
      status: response.status,
      statusText: scrubText(response.statusText, secrets),
    });
    return { ok: false, error };
  }
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
  if (error.strategy === 're-sign-once') dependencies.identity.userSigs.invalidate(signing.userSig);
  return { ok: false, error };
}

const OK_OUTCOME: AttemptOutcome = Object.freeze({ kind: 'ok', code: 0 });

/** The compact form of an attempt's outcome for results and events. */
export function attemptOutcome(answer: AttemptAnswer<OperationId>): AttemptOutcome {
  if (answer.ok) return OK_OUTCOME;
  const { error } = answer;
  if (error.kind === 'api') return { kind: 'api', code: error.code };
  return {
    kind: 'network',
    code: undefined,
    reason: error.reason,
    delivery: error.delivery,
    ...(error.status === undefined ? {} : { status: error.status }),
    ...(error.causeCode === undefined ? {} : { causeCode: error.causeCode }),
  };
}
