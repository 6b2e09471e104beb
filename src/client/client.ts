/**
 * The typed client. Every operation of the spec becomes a method that checks the body against the spec, then sends
 * it through openapi-fetch, signed, rate-limited, under a timeout, retried as the spec's error table allows and
 * failed over to the region's backup host, and turns the answer into a `CallResult`. Nothing here is specific to
 * one operation, so an operation added to the spec needs no code.
 */
import createClient, { type Client } from 'openapi-fetch';
import { operations, type OperationId } from '../../generated/operations.js';
import type { paths } from '../../generated/types.js';
import { answerReader, type LooseRequest } from './attempt.js';
import type { RequestBody } from './bodies.js';
import { runCall } from './call.js';
import type { CallInit, CallResult } from './call-types.js';
import { Endpoints } from './endpoints.js';
import { Semaphore } from './flow/concurrency.js';
import { RequestGate } from './flow/gate.js';
import { Fleet } from './flow/shared/fleet.js';
import { TimeoutSignals } from './flow/timeouts.js';
import { checkOptions, type ChatGroupsClientOptions } from './options.js';
import { createSigningMiddleware, type SigningQueryParam } from './signing.js';

export type { ChatGroupsClientOptions, RateLimitPerOperation } from './options.js';

// ---------------------------------------------------------------------------------------------------------------
// Types

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
  /**
   * No body checks, no `CallResult`, no retries, timeout, size limit or failover, but still signed, never following
   * a redirect (a 3xx comes back as it is), and held to the same rate limits and concurrency cap as the typed methods.
   */
  readonly raw: RawClient;
  /**
   * Closes the Redis connection of the shared rate limit, so the process can exit; calls made afterwards keep to the
   * local share. Without `redis` there is nothing to close.
   */
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Client

/** Maps a request URL of `client.raw` back to its operation, for the rate limiter. */
function operationsByUrlPath(baseUrl: string): (url: string) => OperationId | undefined {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const byPath = new Map<string, OperationId>(
    (Object.keys(operations) as OperationId[]).map((operationId) => [`${prefix}${operations[operationId].path}`, operationId]),
  );
  return (url) => byPath.get(new URL(url).pathname);
}

export function createChatGroupsClient(options: ChatGroupsClientOptions): ChatGroupsClient {
  const settings = checkOptions(options);
  const { clock, identity, sharedLimit } = settings;
  const fleet =
    sharedLimit === undefined
      ? undefined
      : new Fleet({ ...sharedLimit, sdkAppId: identity.sdkAppId, clock });
  const gate = new RequestGate(
    settings.rateLimits,
    settings.maxConcurrency === undefined ? undefined : new Semaphore(settings.maxConcurrency),
    clock,
    fleet === undefined ? undefined : (operationId, calls) => fleet.limiter(operationId, calls),
  );
  const endpoints = new Endpoints(settings.primaryUrl, settings.backupUrl, clock);
  const baseFetch = settings.fetch ?? globalThis.fetch;

  // The typed methods pass their gate themselves, after signing and before sending (see attempt.ts).
  const inner = createClient<paths>({ baseUrl: settings.primaryUrl, fetch: baseFetch });
  const dependencies = {
    // The operation is only known at run time here; the public signatures carry the types.
    send: inner.request as unknown as LooseRequest,
    fetch: baseFetch,
    trustsSignal: settings.fetch === undefined,
    identity,
    gate,
    timeouts: new TimeoutSignals(clock),
    clock,
    setUp: {
      sdkAppId: identity.sdkAppId,
      identifier: identity.identifier,
      region: settings.region,
      credential: settings.credential,
    },
    endpoints,
    retry: settings.retry,
    timeoutMs: settings.timeoutMs,
    onAttempt: settings.onAttempt,
    readAnswer: answerReader(settings.maxResponseBytes),
    maxResponseBytes: settings.maxResponseBytes,
  };

  // `raw` requests pass the gate inside fetch, so the slot is held exactly while the request is on the wire.
  const operationOf = operationsByUrlPath(settings.primaryUrl);
  const gatedFetch = async (input: Request): Promise<Response> => {
    const entered = gate.enter(operationOf(input.url), input.signal);
    const pass = entered instanceof Promise ? await entered : entered;
    try {
      return await baseFetch(input);
    } finally {
      pass.release();
    }
  };
  // No redirect is followed: it would send the request, UserSig included, to another host. A caller sees the 3xx.
  const raw = createClient<paths>({ baseUrl: settings.primaryUrl, fetch: gatedFetch as typeof globalThis.fetch, redirect: 'manual' });
  raw.use(createSigningMiddleware(identity));

  function call<Op extends OperationId>(operationId: Op, body: RequestBody<Op>, init?: CallInit): Promise<CallResult<Op>> {
    return runCall(dependencies, operationId, body, init);
  }

  const methods = Object.fromEntries(
    (Object.keys(operations) as OperationId[]).map((operationId) => [
      operationId,
      (body: RequestBody<typeof operationId>, init?: CallInit) => call(operationId, body, init),
    ]),
  ) as unknown as OperationMethods;

  const close = async (): Promise<void> => fleet?.close();
  return { ...methods, call, raw: raw as unknown as RawClient, close };
}
