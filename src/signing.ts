/**
 * Signs requests: every call carries `sdkappid`, `identifier`, `usersig`, `random` and `contenttype` in its query
 * string. Callers never pass them; this middleware sets them on the Request openapi-fetch built, replacing any value
 * already there so a caller's stray parameter cannot override the signature.
 */
import { webcrypto } from 'node:crypto';
import type { Middleware } from 'openapi-fetch';
import type { UserSigSource } from './usersig-source.js';

/** The query parameters the signer owns, in the order the vendor's sample URL lists them. */
export const signingQueryParams = ['sdkappid', 'identifier', 'usersig', 'random', 'contenttype'] as const;
export type SigningQueryParam = (typeof signingQueryParams)[number];

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

/** The five signing parameters as an openapi-fetch query, in the order the vendor's sample URL lists them. */
export interface SigningQuery {
  readonly sdkappid: number;
  readonly identifier: string;
  readonly usersig: string;
  readonly random: number;
  readonly contenttype: 'json';
}

/**
 * The URL a request signed for `identity` with `random` was sent to, with the UserSig already redacted, for events
 * and errors. Built from the parts rather than read back from the Request, so it exists even for an attempt that
 * never got as far as a Request, and so no copy of the URL with the UserSig in it is ever made for reporting.
 */
export function redactedRequestUrl(baseUrl: string, path: string, identity: Pick<SigningIdentity, 'sdkAppId' | 'identifier'>, random: number): string {
  return `${baseUrl}${path}?sdkappid=${identity.sdkAppId}&identifier=${encodeURIComponent(identity.identifier)}&usersig=REDACTED&random=${random}&contenttype=json`;
}

/** Returns a copy of `request` carrying the five signing parameters, with a fresh `random`. */
export async function signRequest(request: Request, identity: SigningIdentity): Promise<SignedRequest> {
  const userSig = await identity.userSigs.get(request.signal);
  const random = randomUint32();
  const url = new URL(request.url);
  for (const name of signingQueryParams) url.searchParams.delete(name);
  url.searchParams.append('sdkappid', String(identity.sdkAppId));
  url.searchParams.append('identifier', identity.identifier);
  url.searchParams.append('usersig', userSig);
  url.searchParams.append('random', String(random));
  url.searchParams.append('contenttype', 'json');
  return { random, userSig, request: new Request(url, request) };
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
      const random = Number(new URL(request.url).searchParams.get('random') ?? Number.NaN);
      if (Number.isInteger(random)) randomsByResponse.set(response, random);
    },
  };
}
