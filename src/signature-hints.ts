/**
 * The likely cause of a UserSig or app error in terms of this client's own set-up, so a failure points at what to
 * fix (the key of another app, a provider signing for another account, the wrong region) instead of only quoting
 * the vendor's table. Hints name the SDKAppID, the identifier and the host, which are not secrets; never the key or
 * a UserSig.
 */

export interface SigningSetUp {
  readonly sdkAppId: number;
  readonly identifier: string;
  /** The host the rejected request went to. */
  readonly host: string;
  /** The configured region, or undefined with a custom baseUrl. */
  readonly region: string | undefined;
  /** Whether the client signs with a secret key or asks a provider. */
  readonly credential: 'secret-key' | 'provider';
  /** Whether this answer came after the client had already replaced the UserSig once in this call. */
  readonly reSigned: boolean;
}

type Hint = (setUp: SigningSetUp) => string;

const source = (setUp: SigningSetUp): string => (setUp.credential === 'provider' ? 'the UserSig provider' : 'the secret key');

const where = (setUp: SigningSetUp): string =>
  setUp.region === undefined ? `the base URL's host ${setUp.host}` : `region ${setUp.region} (${setUp.host})`;

const unparsable: Hint = (setUp) =>
  setUp.credential === 'provider'
    ? 'the UserSig provider returned something that is not a whole TLSSigAPIv2 UserSig (truncated, or made by the old ECDSA algorithm).'
    : 'the UserSig could not be parsed; if a proxy rewrites query strings, check that it keeps the usersig parameter intact.';

const hints: Readonly<Record<number, Hint>> = {
  60004: (setUp) => `the identifier "${setUp.identifier}" or its UserSig is wrong; check ${source(setUp)} belongs to SDKAppID ${setUp.sdkAppId}.`,
  60005: (setUp) => `the identifier "${setUp.identifier}" or its UserSig is wrong; check ${source(setUp)} belongs to SDKAppID ${setUp.sdkAppId}.`,
  70001: (setUp) =>
    setUp.reSigned
      ? `even a newly made UserSig counts as expired: the clock of this machine${setUp.credential === 'provider' ? ' or of the UserSig provider' : ''} is probably behind, or the provider hands out an old sig.`
      : 'the UserSig expired; the client replaces it (and, with retries on, sends the request once more).',
  70002: (setUp) => `the UserSig was empty; check ${source(setUp)}.`,
  70003: unparsable,
  70004: unparsable,
  70005: unparsable,
  70009: (setUp) =>
    `the signature does not verify: ${source(setUp)} most likely belongs to another app than SDKAppID ${setUp.sdkAppId}; take the key of this app from the console.`,
  70013: (setUp) =>
    `the UserSig was made for another account than the identifier "${setUp.identifier}"; ${setUp.credential === 'provider' ? 'the provider must sign for the same identifier the client sends' : 'the client signs for its identifier, so a proxy may be rewriting the query'}.`,
  70014: (setUp) => `the UserSig was made for another SDKAppID than ${setUp.sdkAppId}; ${source(setUp)} belongs to another app.`,
  70016: (setUp) =>
    `no key was found for SDKAppID ${setUp.sdkAppId} at ${where(setUp)}: the app was probably created in another data center; choose that region.`,
  70020: (setUp) =>
    `SDKAppID ${setUp.sdkAppId} was not found at ${where(setUp)}: the app was probably created in another data center; choose that region, or check the SDKAppID.`,
  70050: (setUp) => `too many requests with a bad UserSig; fix ${source(setUp)} or the identifier first, then wait a minute.`,
  70052: () => 'the UserSig was invalidated by the service; the client replaces it (and, with retries on, sends the request once more).',
};

export function signatureHint(code: number, setUp: SigningSetUp): string | undefined {
  return hints[code]?.(setUp);
}
