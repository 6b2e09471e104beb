/**
 * The likely cause of a UserSig or app error in terms of this client's own set-up, so a failure points at what to
 * fix (the key of another app, a provider signing for another account, the wrong region) instead of only quoting
 * the vendor's table. Hints name the SDKAppID, the identifier and the host, which are not secrets; never the key or
 * a UserSig. Which code gets which hint is the document's: the `hint` of each catalogue entry.
 */
import { errorCodes, type ErrorCodeInfo } from '../../generated/error-codes.js';

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

const source = (setUp: SigningSetUp): string => (setUp.credential === 'provider' ? 'the UserSig provider' : 'the secret key');

const where = (setUp: SigningSetUp): string =>
  setUp.region === undefined ? `the base URL's host ${setUp.host}` : `region ${setUp.region} (${setUp.host})`;

/** The value of each placeholder a hint of the catalogue may use. */
function placeholders(setUp: SigningSetUp): Readonly<Record<string, string>> {
  return { identifier: setUp.identifier, sdkAppId: String(setUp.sdkAppId), credential: source(setUp), where: where(setUp) };
}

/** The catalogue's hint for `code` (`hint` of `components.x-error-codes`), the variant for this set-up, filled in. */
export function signatureHint(code: number, setUp: SigningSetUp): string | undefined {
  const hint = (errorCodes as Readonly<Record<number, ErrorCodeInfo>>)[code]?.hint;
  if (hint === undefined) return undefined;
  const provider = setUp.credential === 'provider';
  const template = setUp.reSigned
    ? ((provider ? hint.afterReSignProvider : undefined) ?? hint.afterReSign ?? (provider ? hint.provider : undefined) ?? hint.text)
    : ((provider ? hint.provider : undefined) ?? hint.text);
  const values = placeholders(setUp);
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);
}
