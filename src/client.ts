/**
 * The typed client. Every operation of the spec becomes a method that checks the body against the spec, signs the
 * request, sends it through openapi-fetch and turns the answer into a `CallResult`; nothing here is specific to one
 * operation, so an operation added to the spec needs no code.
 */
import createClient, { type Client } from 'openapi-fetch';
import { operations, type OperationId } from '../generated/operations.js';
import { regions, type RegionName } from '../generated/regions.js';
import type { operations as OperationTypes, paths } from '../generated/types.js';
import {
  ApiError,
  ClientOptionsError,
  NetworkError,
  RequestValidationError,
  sanitizeCause,
  scrubJson,
  scrubText,
  type NetworkFailureReason,
} from './errors.js';
import { createSigningMiddleware, type SignedRequest, type SigningIdentity, type SigningQueryParam } from './signing.js';
import { MAX_SDKAPPID, MAX_USERSIG_EXPIRE_SECONDS } from './usersig.js';
import {
  createUserSigSource,
  DEFAULT_REFRESH_MARGIN_SECONDS,
  type UserSigProvider,
  type UserSigSource,
} from './usersig-source.js';
import { validateRequest } from './validate.js';

// ---------------------------------------------------------------------------------------------------------------
// Types

/** The JSON body an operation takes. */
export type RequestBody<Op extends OperationId> = OperationTypes[Op] extends {
  requestBody: { content: { 'application/json': infer Body } };
}
  ? Body
  : Record<string, never>;

/** The JSON body of an operation's HTTP 200 answer (success and business failures share it). */
export type ResponseBody<Op extends OperationId> = OperationTypes[Op] extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

type HeadersInit = NonNullable<RequestInit['headers']>;

/** Per-call settings. There is no way to pass query parameters: the client sets all of them. */
export interface CallInit {
  signal?: AbortSignal;
  headers?: HeadersInit;
}

export interface CallSuccess<Op extends OperationId> {
  readonly ok: true;
  readonly data: ResponseBody<Op>;
  /** The `random` query parameter the request carried; quote it to the vendor's support. */
  readonly random: number;
  readonly operationId: Op;
}

export type CallFailure<Op extends OperationId> =
  | {
      readonly ok: false;
      readonly error: ApiError<Op> | NetworkError;
      /** The request was sent, so it had a `random`. */
      readonly random: number;
      readonly operationId: Op;
    }
  | {
      readonly ok: false;
      readonly error: RequestValidationError;
      /** Absent: nothing was sent. */
      readonly random?: never;
      readonly operationId: Op;
    };

export type CallResult<Op extends OperationId> = CallSuccess<Op> | CallFailure<Op>;

type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];

/** A query as callers write it: the signing parameters removed, and refused if someone passes them anyway. */
type CallerQuery<Query> = Omit<Query, SigningQueryParam> & { readonly [Name in SigningQueryParam]?: never };

type CallerParameters<Parameters> = Parameters extends { query?: infer Query }
  ? Omit<Parameters, 'query'> &
      (RequiredKeys<Omit<NonNullable<Query>, SigningQueryParam>> extends never
        ? { query?: CallerQuery<NonNullable<Query>> }
        : { query: CallerQuery<NonNullable<Query>> })
  : Parameters;

type CallerOperation<Operation> = {
  [Key in keyof Operation]: Key extends 'parameters' ? CallerParameters<Operation[Key]> : Operation[Key];
};

/** The spec's `paths` as a caller of `client.raw` sees them: the client signs every request itself. */
export type CallerPaths = {
  [Path in keyof paths]: {
    [Key in keyof paths[Path]]: Key extends 'parameters'
      ? CallerParameters<paths[Path][Key]>
      : CallerOperation<paths[Path][Key]>;
  };
};

/** The underlying openapi-fetch client, signing included; for calls the typed methods do not cover. */
export type RawClient = Client<CallerPaths>;

type OperationMethods = {
  readonly [Op in OperationId]: (body: RequestBody<Op>, init?: CallInit) => Promise<CallResult<Op>>;
};

/** One method per operation of the spec, named by its operationId (e.g. `delContactGroup`). */
export interface ChatGroupsClient extends OperationMethods {
  /** The same as the named methods, by operationId. */
  call<Op extends OperationId>(operationId: Op, body: RequestBody<Op>, init?: CallInit): Promise<CallResult<Op>>;
  /** No body checks and no `CallResult`, but still signed. */
  readonly raw: RawClient;
}

interface CommonOptions {
  /** The SDKAppID from the Chat console. */
  sdkAppId: number;
  /** An app admin account; the UserSig is issued for it. */
  identifier: string;
  /** With `secretKey`: the validity of each generated UserSig (default one day). */
  userSigExpireSeconds?: number;
  fetch?: typeof globalThis.fetch;
}

type CredentialOptions =
  | { /** The app's secret key; it never leaves this process. */ secretKey: string; userSig?: never }
  | { /** Supplies UserSigs when this process must not hold the key; its sigs are cached too. */ userSig: UserSigProvider; secretKey?: never };

type EndpointOptions =
  | { /** The data center the app was created in. */ region: RegionName; baseUrl?: never }
  | { /** Any other base URL, e.g. a local mock or sandbox. */ baseUrl: string; region?: never };

export type ChatGroupsClientOptions = CommonOptions & CredentialOptions & EndpointOptions;

// ---------------------------------------------------------------------------------------------------------------
// Options

const optionNames = new Set(['sdkAppId', 'identifier', 'secretKey', 'userSig', 'region', 'baseUrl', 'userSigExpireSeconds', 'fetch']);

interface Settings {
  readonly baseUrl: string;
  readonly identity: SigningIdentity & { readonly userSigs: UserSigSource };
  readonly fetch: typeof globalThis.fetch | undefined;
}

function present(options: Record<string, unknown>, name: string): boolean {
  return options[name] !== undefined;
}

function checkBaseUrl(value: unknown): string {
  if (typeof value !== 'string') throw new ClientOptionsError('baseUrl', 'must be a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ClientOptionsError('baseUrl', 'must be an absolute URL such as https://console.tim.qq.com');
  }
  // The UserSig travels in the query string: plain HTTP is only acceptable to a mock or sandbox on this machine.
  const loopback = url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ClientOptionsError('baseUrl', 'must use https (http is accepted for loopback hosts only)');
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ClientOptionsError('baseUrl', 'must not contain a query, a fragment or credentials');
  }
  return url.href.replace(/\/+$/, '');
}

function checkOptions(input: unknown): Settings {
  if (typeof input !== 'object' || input === null) {
    throw new ClientOptionsError('options', 'must be an object');
  }
  const options = input as Record<string, unknown>;
  for (const name of Object.keys(options)) {
    if (!optionNames.has(name)) {
      // Names only: an unknown option could hold a secret.
      throw new ClientOptionsError(/^[A-Za-z][A-Za-z0-9]{0,40}$/.test(name) ? name : '(unnamed)', 'is not a known option');
    }
  }
  const { sdkAppId, identifier, secretKey, userSig, region, userSigExpireSeconds, fetch } = options;
  if (typeof sdkAppId !== 'number' || !Number.isInteger(sdkAppId) || sdkAppId < 1 || sdkAppId > MAX_SDKAPPID) {
    throw new ClientOptionsError('sdkAppId', `must be an integer from 1 to ${MAX_SDKAPPID}`);
  }
  if (typeof identifier !== 'string' || identifier.length === 0) {
    throw new ClientOptionsError('identifier', 'must be a non-empty string (an app admin account)');
  }
  if (present(options, 'secretKey') === present(options, 'userSig')) {
    throw new ClientOptionsError('secretKey/userSig', 'exactly one of the two must be given');
  }
  if (present(options, 'secretKey') && (typeof secretKey !== 'string' || secretKey.length === 0)) {
    throw new ClientOptionsError('secretKey', 'must be a non-empty string');
  }
  if (present(options, 'userSig') && typeof userSig !== 'function') {
    throw new ClientOptionsError('userSig', 'must be a function returning a UserSig (or a promise of one)');
  }
  if (present(options, 'region') === present(options, 'baseUrl')) {
    throw new ClientOptionsError('region/baseUrl', 'exactly one of the two must be given');
  }
  if (present(options, 'region') && !(typeof region === 'string' && Object.hasOwn(regions, region))) {
    throw new ClientOptionsError('region', `must be one of ${Object.keys(regions).join(', ')}`);
  }
  const minExpire = DEFAULT_REFRESH_MARGIN_SECONDS + 1;
  if (
    present(options, 'userSigExpireSeconds') &&
    (typeof userSigExpireSeconds !== 'number' ||
      !Number.isInteger(userSigExpireSeconds) ||
      userSigExpireSeconds < minExpire ||
      userSigExpireSeconds > MAX_USERSIG_EXPIRE_SECONDS)
  ) {
    // The lower bound keeps a sig alive longer than the margin at which the cache replaces it.
    throw new ClientOptionsError('userSigExpireSeconds', `must be an integer from ${minExpire} to ${MAX_USERSIG_EXPIRE_SECONDS}`);
  }
  if (present(options, 'fetch') && typeof fetch !== 'function') {
    throw new ClientOptionsError('fetch', 'must be a function');
  }

  const baseUrl = present(options, 'region') ? regions[region as RegionName].url : checkBaseUrl(options['baseUrl']);
  const expire = typeof userSigExpireSeconds === 'number' ? { expireSeconds: userSigExpireSeconds } : {};
  const userSigs =
    typeof userSig === 'function'
      ? createUserSigSource({ provider: userSig as UserSigProvider, ...expire })
      : createUserSigSource({ secretKey: secretKey as string, sdkAppId, identifier, ...expire });
  return {
    baseUrl,
    identity: { sdkAppId, identifier, userSigs },
    fetch: fetch as typeof globalThis.fetch | undefined,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers

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

function errorName(value: unknown): string | undefined {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string'
    ? (value as { name: string }).name
    : undefined;
}

function hasTimeoutCode(value: unknown, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || depth > 4) return false;
  const code = (value as { code?: unknown }).code;
  // Node's fetch reports its connect, header and body timeouts as UND_ERR_*_TIMEOUT, sockets as ETIMEDOUT.
  if (typeof code === 'string' && /TIMEOUT|TIMEDOUT/.test(code)) return true;
  return hasTimeoutCode((value as { cause?: unknown }).cause, depth + 1);
}

function rejectionReason(thrown: unknown, signal: AbortSignal | undefined): NetworkFailureReason {
  if (signal?.aborted) return errorName(signal.reason) === 'TimeoutError' ? 'timeout' : 'aborted';
  if (errorName(thrown) === 'TimeoutError' || hasTimeoutCode(thrown)) return 'timeout';
  if (errorName(thrown) === 'AbortError') return 'aborted';
  return 'connection';
}

// ---------------------------------------------------------------------------------------------------------------
// Client

type LooseRequest = (
  method: string,
  path: string,
  init: Record<string, unknown>,
) => Promise<{ data?: unknown; response: Response }>;

export function createChatGroupsClient(options: ChatGroupsClientOptions): ChatGroupsClient {
  const { baseUrl, identity, fetch } = checkOptions(options);
  const transport = { baseUrl, ...(fetch === undefined ? {} : { fetch }) };

  const raw = createClient<paths>(transport);
  raw.use(createSigningMiddleware(identity));

  // `call` signs through a middleware of its own per request (see below), so it uses a client without the global one.
  const inner = createClient<paths>(transport);
  // The operation is only known at run time here; the public signatures carry the types.
  const send = inner.request as unknown as LooseRequest;

  async function call<Op extends OperationId>(
    operationId: Op,
    body: RequestBody<Op>,
    init: CallInit = {},
  ): Promise<CallResult<Op>> {
    const [firstViolation, ...moreViolations] = validateRequest(operationId, body);
    if (firstViolation !== undefined) {
      return { ok: false, error: new RequestValidationError(operationId, [firstViolation, ...moreViolations]), operationId };
    }

    // A middleware instance per call hears which `random` and UserSig this request was signed with, so concurrent
    // calls never see each other's values.
    const sent: { signed?: SignedRequest } = {};
    const operation = operations[operationId];
    let answer: { data?: unknown; response: Response };
    try {
      answer = await send(operation.method, operation.path, {
        body,
        parseAs: 'text',
        middleware: [createSigningMiddleware(identity, (signed) => (sent.signed = signed))],
        ...(init.signal === undefined ? {} : { signal: init.signal }),
        ...(init.headers === undefined ? {} : { headers: init.headers }),
      });
    } catch (thrown) {
      const { signed } = sent;
      // Unsigned means nothing was sent (the UserSig provider failed): not a network outcome, so it is rethrown.
      if (signed === undefined) throw thrown;
      const secrets = [signed.userSig];
      const error = new NetworkError({
        operationId,
        reason: rejectionReason(thrown, init.signal),
        random: signed.random,
        url: signed.request.url,
        cause: sanitizeCause(thrown, secrets),
      });
      return { ok: false, error, random: signed.random, operationId };
    }

    // openapi-fetch only resolves after the middleware ran, so the request was signed.
    const { random, userSig, request } = sent.signed as SignedRequest;
    const { response, data } = answer;
    const envelope = response.status === 200 ? parseEnvelope(data) : undefined;
    if (envelope === undefined) {
      const error = new NetworkError({
        operationId,
        reason: response.status === 200 ? 'invalid-body' : 'http-status',
        random,
        url: request.url,
        status: response.status,
        statusText: scrubText(response.statusText, [userSig]),
      });
      return { ok: false, error, random, operationId };
    }
    if (envelope.ErrorCode !== 0) {
      const secrets = [userSig];
      const error = new ApiError({
        operationId,
        code: envelope.ErrorCode,
        info: scrubText(typeof envelope.ErrorInfo === 'string' ? envelope.ErrorInfo : '', secrets),
        display: typeof envelope.ErrorDisplay === 'string' ? scrubText(envelope.ErrorDisplay, secrets) : undefined,
        random,
        body: scrubJson(envelope, secrets) as ResponseBody<Op>,
      });
      // The next call then gets a new UserSig; the sig is named so a replacement fetched meanwhile is kept.
      if (error.strategy === 're-sign-once') identity.userSigs.invalidate(userSig);
      return { ok: false, error, random, operationId };
    }
    return { ok: true, data: envelope as ResponseBody<Op>, random, operationId };
  }

  const methods = Object.fromEntries(
    (Object.keys(operations) as OperationId[]).map((operationId) => [
      operationId,
      (body: RequestBody<typeof operationId>, init?: CallInit) => call(operationId, body, init),
    ]),
  ) as unknown as OperationMethods;

  return { ...methods, call, raw: raw as unknown as RawClient };
}
