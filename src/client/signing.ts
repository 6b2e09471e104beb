/**
 * Signs requests: every call carries the signing parameters the document names (`x-signing-role`: the SDKAppID, the
 * admin identifier, the UserSig, a fresh random and the request format) in its query string. Callers never pass them.
 * The typed methods and `client.raw` sign the same way: `signingValues` gets the UserSig, `signingQuery` turns the
 * values into the query; the typed methods hand that query to openapi-fetch (see attempt.ts), and the middleware of
 * `client.raw` sets it on the Request openapi-fetch built, replacing any value already there so a caller's stray
 * parameter cannot override the signature.
 */
import { webcrypto } from 'node:crypto';
import type { Middleware } from 'openapi-fetch';
import { requestFormat, signingParameters } from '../../generated/operations.js';
import type { UserSigSource } from './usersig-source.js';

export type SigningQueryParam = (typeof signingParameters)[keyof typeof signingParameters];

/** The query parameters the signer owns (the document's `x-signing-role`), in the order of the vendor's sample URL. */
export const signingQueryParams: readonly SigningQueryParam[] = Object.values(signingParameters);

// Drawn from the system's CSPRNG in batches: a call into it costs some microseconds (a tenth of a whole client call),
// a read from the batch some nanoseconds.
const randomPool = new Uint32Array(256);
let randomPoolNext = randomPool.length;

/** A fresh cryptographically random 32-bit unsigned integer (0 to 4294967295). */
export function randomUint32(): number {
  // A predictable `random` would let a third party guess request identifiers; Math.random is not enough.
  if (randomPoolNext === randomPool.length) {
    webcrypto.getRandomValues(randomPool);
    randomPoolNext = 0;
  }
  const value = randomPool[randomPoolNext] ?? 0;
  randomPoolNext += 1;
  return value;
}

export interface SigningIdentity {
  readonly sdkAppId: number;
  /** The app admin account the UserSig is issued for. */
  readonly identifier: string;
  /** Hands out one cached UserSig until shortly before it expires, instead of signing every request anew. */
  readonly userSigs: Pick<UserSigSource, 'get'>;
}

/** What one request was signed with, for reporting (`random`) and for invalidating a rejected UserSig. */
export interface SignedRequest {
  readonly random: number;
  readonly userSig: string;
  readonly request: Request;
}

/** What one request is signed with. */
export interface SigningValues {
  readonly sdkAppId: number;
  readonly identifier: string;
  readonly userSig: string;
  readonly random: number;
}

/** The signing parameters as an openapi-fetch query, named as the document names them. */
export type SigningQuery = Readonly<Record<SigningQueryParam, string | number>>;

/**
 * What a request to carry `random` is signed with: the identity and its current UserSig (the cached one, fetched
 * anew when it is about to expire or was invalidated). Rejects as the UserSig source does.
 */
export async function signingValues(identity: SigningIdentity, random: number, signal: AbortSignal | undefined): Promise<SigningValues> {
  const userSig = await identity.userSigs.get(signal);
  return { sdkAppId: identity.sdkAppId, identifier: identity.identifier, userSig, random };
}

export function signingQuery(values: SigningValues): SigningQuery {
  return {
    [signingParameters.sdkAppId]: values.sdkAppId,
    [signingParameters.identifier]: values.identifier,
    [signingParameters.userSig]: values.userSig,
    [signingParameters.random]: values.random,
    [signingParameters.format]: requestFormat,
  } as SigningQuery;
}

/**
 * The URL a request signed for `identity` with `random` was sent to, with the UserSig already redacted, for events
 * and errors. Built from the parts rather than read back from the Request, so it exists even for an attempt that
 * never got as far as a Request, and so no copy of the URL with the UserSig in it is ever made for reporting.
 */
export function redactedRequestUrl(baseUrl: string, path: string, identity: Pick<SigningIdentity, 'sdkAppId' | 'identifier'>, random: number): string {
  const query = signingQuery({ ...identity, userSig: 'REDACTED', random });
  return `${baseUrl}${path}?${signingQueryParams.map((name) => `${name}=${name === signingParameters.identifier ? encodeURIComponent(query[name]) : query[name]}`).join('&')}`;
}

/** Returns a copy of `request` carrying the signing parameters, with a fresh `random`. */
export async function signRequest(request: Request, identity: SigningIdentity): Promise<SignedRequest> {
  const signing = await signingValues(identity, randomUint32(), request.signal);
  const url = new URL(request.url);
  const query = signingQuery(signing);
  for (const name of signingQueryParams) url.searchParams.delete(name);
  for (const name of signingQueryParams) url.searchParams.append(name, String(query[name]));
  return { random: signing.random, userSig: signing.userSig, request: new Request(url, request) };
}

// Keyed by the Response object so that concurrent requests cannot mix up their randoms, and nothing is retained
// once the caller drops the response.
const randomsByResponse = new WeakMap<Response, number>();

/**
 * The `random` a request sent through a signing middleware carried, looked up by its Response (for `client.raw`
 * callers, who get the Response but never see the signed URL).
 */
export function requestRandom(response: Response): number | undefined {
  return randomsByResponse.get(response);
}

/**
 * The openapi-fetch middleware. `onSigned` hears about each signed request before it is sent, so a caller holding
 * its own per-call middleware instance learns that request's `random` even when the fetch then fails.
 */
export function createSigningMiddleware(
  identity: SigningIdentity,
  onSigned?: (signed: SignedRequest) => void,
): Middleware {
  return {
    async onRequest({ request }) {
      const signed = await signRequest(request, identity);
      onSigned?.(signed);
      return signed.request;
    },
    onResponse({ request, response }) {
      // Read back from the URL that was sent rather than remembered per request, so nothing is left behind when a
      // request fails between signing and answering.
      const random = Number(new URL(request.url).searchParams.get(signingParameters.random) ?? Number.NaN);
      if (Number.isInteger(random)) randomsByResponse.set(response, random);
    },
  };
}
