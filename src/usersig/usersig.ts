import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';

// TLSSigAPIv2 (HMAC-SHA256) as in the official libraries. Decoding and verification
// follow the official Go `VerifyUserSig`, because the official Node library has neither.

/** The vendor documents 50 years as the longest validity that can be set. */
export const MAX_USERSIG_EXPIRE_SECONDS = 50 * 365 * 86_400;

/** SDKAppID is an unsigned 32-bit integer; 0 is never issued. */
export const MAX_SDKAPPID = 4_294_967_295;

/** Real UserSig documents are a few hundred bytes; the cap keeps a hostile sig from inflating into memory. */
const MAX_INFLATED_BYTES = 64 * 1024;

export type UserSigInputField =
  | 'secretKey'
  | 'sdkAppId'
  | 'identifier'
  | 'expireSeconds'
  | 'now'
  | 'refreshMarginSeconds'
  | 'providerTimeoutMs';

/**
 * Thrown for invalid generation inputs. The message names the field and the rule but never a value,
 * so a secret key passed in the wrong slot cannot leak into logs.
 */
export class UserSigInputError extends RangeError {
  override readonly name = 'UserSigInputError';
  readonly field: UserSigInputField;
  readonly rule: string;

  constructor(field: UserSigInputField, rule: string) {
    super(`Invalid UserSig input: ${field} ${rule}`);
    this.field = field;
    this.rule = rule;
  }
}

export type UserSigFormatReason = 'empty' | 'not-base64' | 'not-zlib' | 'not-json' | 'missing-fields';

/** Thrown by `decodeUserSig`. The message never contains the UserSig or its HMAC. */
export class UserSigFormatError extends Error {
  override readonly name = 'UserSigFormatError';
  readonly reason: UserSigFormatReason;

  constructor(reason: UserSigFormatReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export interface UserSigFields {
  identifier: string;
  sdkAppId: number;
  /** Issue time, unix seconds. */
  time: number;
  /** Validity duration in seconds (relative to `time`). */
  expire: number;
  /** Base64 userbuf exactly as it appears in the document (TRTC PrivateMapKey only; IM never sets it). */
  userbuf?: string;
}

export interface DecodedUserSig {
  version: string;
  identifier: string;
  sdkAppId: number;
  time: number;
  expire: number;
  /** Standard Base64 HMAC-SHA256. */
  sig: string;
  userbuf?: string;
}

export interface GenerateUserSigOptions {
  secretKey: string;
  sdkAppId: number;
  identifier: string;
  expireSeconds: number;
  /** Unix seconds; defaults to the current time, floored. */
  now?: number;
}

export interface UserSigInput {
  secretKey: string;
  sdkAppId: number;
  identifier: string;
  expireSeconds: number;
}

/**
 * Exposed so that long-lived holders of a key (e.g. the UserSig cache) can reject bad configuration
 * when they are created rather than on their first request.
 */
export function validateUserSigInput(input: UserSigInput): void {
  assertSecretKey(input.secretKey);
  if (!Number.isInteger(input.sdkAppId) || input.sdkAppId < 1 || input.sdkAppId > MAX_SDKAPPID) {
    throw new UserSigInputError('sdkAppId', `must be an integer from 1 to ${MAX_SDKAPPID}`);
  }
  if (typeof input.identifier !== 'string' || input.identifier.length === 0) {
    throw new UserSigInputError('identifier', 'must be a non-empty string');
  }
  assertExpireSeconds('expireSeconds', input.expireSeconds);
}

/** Shared with the cache so both report the same rule for the same mistake. */
export function assertExpireSeconds(field: UserSigInputField, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_USERSIG_EXPIRE_SECONDS) {
    throw new UserSigInputError(
      field,
      `must be an integer from 1 to ${MAX_USERSIG_EXPIRE_SECONDS} (50 years, the vendor's documented maximum)`,
    );
  }
}

function assertSecretKey(secretKey: string): void {
  if (typeof secretKey !== 'string' || secretKey.length === 0) {
    throw new UserSigInputError('secretKey', 'must be a non-empty string');
  }
}

function stringToSign(fields: UserSigFields): string {
  // Every line ends with '\n', including the last; time precedes expire.
  let text =
    `TLS.identifier:${fields.identifier}\n` +
    `TLS.sdkappid:${fields.sdkAppId}\n` +
    `TLS.time:${fields.time}\n` +
    `TLS.expire:${fields.expire}\n`;
  if (fields.userbuf !== undefined) {
    text += `TLS.userbuf:${fields.userbuf}\n`;
  }
  return text;
}

/** Standard Base64 HMAC-SHA256 of the TLSSigAPIv2 string-to-sign; the key is used as UTF-8 bytes, not hex-decoded. */
export function userSigHmac(secretKey: string, fields: UserSigFields): string {
  assertSecretKey(secretKey);
  return createHmac('sha256', Buffer.from(secretKey, 'utf8'))
    .update(stringToSign(fields), 'utf8')
    .digest('base64');
}

export function generateUserSig(options: GenerateUserSigOptions): string {
  validateUserSigInput(options);
  const time = options.now ?? Math.floor(Date.now() / 1000);
  if (!Number.isSafeInteger(time) || time < 0) {
    throw new UserSigInputError('now', 'must be a non-negative integer (unix seconds)');
  }
  const fields: UserSigFields = {
    identifier: options.identifier,
    sdkAppId: options.sdkAppId,
    time,
    expire: options.expireSeconds,
  };
  // Key order of the official Node library, so our output is byte-comparable with it on the same zlib.
  const doc = {
    'TLS.ver': '2.0',
    'TLS.identifier': fields.identifier,
    'TLS.sdkappid': fields.sdkAppId,
    'TLS.time': fields.time,
    'TLS.expire': fields.expire,
    'TLS.sig': userSigHmac(options.secretKey, fields),
  };
  const compressed = deflateSync(Buffer.from(JSON.stringify(doc), 'utf8'));
  return toUserSigAlphabet(compressed.toString('base64'));
}

function toUserSigAlphabet(base64: string): string {
  return base64.replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

function fromUserSigAlphabet(userSig: string): string {
  return userSig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
}

// Padding is optional because only the Go library insists on it; a lone trailing sextet can never be valid.
const USERSIG_ALPHABET = /^[A-Za-z0-9*-]+(_{1,2})?$/;

function base64Bytes(userSig: string): Buffer {
  const match = USERSIG_ALPHABET.exec(userSig);
  const padding = match?.[1]?.length ?? 0;
  const invalid =
    match === null ||
    (padding > 0 ? userSig.length % 4 !== 0 : userSig.length % 4 === 1);
  if (invalid) {
    throw new UserSigFormatError(
      'not-base64',
      'UserSig is not Base64 in the UserSig alphabet (A-Z a-z 0-9 * - with _ padding)',
    );
  }
  return Buffer.from(fromUserSigAlphabet(userSig), 'base64');
}

function inflate(bytes: Buffer): Buffer {
  try {
    return inflateSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES });
  } catch {
    throw new UserSigFormatError('not-zlib', 'UserSig is not a complete zlib stream (truncated or corrupted?)');
  }
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new UserSigFormatError('not-json', 'UserSig does not contain UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UserSigFormatError('not-json', 'UserSig JSON is not an object');
  }
  return parsed as Record<string, unknown>;
}

function stringField(doc: Record<string, unknown>, name: string): string {
  const value = doc[name];
  if (typeof value !== 'string') {
    throw new UserSigFormatError('missing-fields', `UserSig JSON field ${name} is missing or not a string`);
  }
  return value;
}

function integerField(doc: Record<string, unknown>, name: string): number {
  const value = doc[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new UserSigFormatError(
      'missing-fields',
      `UserSig JSON field ${name} is missing or not a non-negative integer`,
    );
  }
  return value;
}

/** Decodes without checking the signature; use `verifyUserSig` to trust the result. */
export function decodeUserSig(userSig: string): DecodedUserSig {
  if (typeof userSig !== 'string' || userSig.length === 0) {
    throw new UserSigFormatError('empty', 'UserSig is empty');
  }
  const doc = parseJsonObject(inflate(base64Bytes(userSig)));
  const decoded: DecodedUserSig = {
    version: stringField(doc, 'TLS.ver'),
    identifier: stringField(doc, 'TLS.identifier'),
    sdkAppId: integerField(doc, 'TLS.sdkappid'),
    time: integerField(doc, 'TLS.time'),
    expire: integerField(doc, 'TLS.expire'),
    sig: stringField(doc, 'TLS.sig'),
  };
  if (doc['TLS.userbuf'] !== undefined) {
    decoded.userbuf = stringField(doc, 'TLS.userbuf');
  }
  return decoded;
}

/** Last unix second at which the sig is still valid (the server rejects it only when now > time + expire). */
export function userSigExpiresAt(decoded: Pick<DecodedUserSig, 'time' | 'expire'>): number {
  return decoded.time + decoded.expire;
}

export type UserSigRejectionReason =
  | 'empty'
  | 'malformed'
  | 'sdkappid-mismatch'
  | 'identifier-mismatch'
  | 'expired'
  | 'signature-mismatch'
  | 'userbuf-not-expected';

/**
 * Why a UserSig fails verification; the sandbox answers each with the catalogue's code for it (UserSig expired,
 * empty, unreadable, signed with another key, for another identifier, for another SDKAppID).
 */
export type UserSigVerification =
  | { readonly ok: true; readonly decoded: DecodedUserSig; readonly expiresAt: number }
  | { readonly ok: false; readonly reason: 'empty'; readonly decoded?: undefined }
  | {
      readonly ok: false;
      readonly reason: 'malformed';
      readonly formatReason: Exclude<UserSigFormatReason, 'empty'>;
      readonly decoded?: undefined;
    }
  | {
      readonly ok: false;
      readonly reason: Exclude<UserSigRejectionReason, 'empty' | 'malformed'>;
      readonly decoded: DecodedUserSig;
    };

export interface UserSigExpectation {
  sdkAppId: number;
  identifier: string;
  /** Unix seconds; defaults to the current time, floored. */
  now?: number;
}

export function verifyUserSig(
  secretKey: string,
  userSig: string,
  expected: UserSigExpectation,
): UserSigVerification {
  assertSecretKey(secretKey);
  let decoded: DecodedUserSig;
  try {
    decoded = decodeUserSig(userSig);
  } catch (error) {
    if (!(error instanceof UserSigFormatError)) throw error;
    if (error.reason === 'empty') return { ok: false, reason: 'empty' };
    return { ok: false, reason: 'malformed', formatReason: error.reason };
  }

  // Same order as the official Go VerifyUserSig, so the sandbox reports the same error the server would.
  if (decoded.sdkAppId !== expected.sdkAppId) return { ok: false, reason: 'sdkappid-mismatch', decoded };
  if (decoded.identifier !== expected.identifier) return { ok: false, reason: 'identifier-mismatch', decoded };
  const now = expected.now ?? Math.floor(Date.now() / 1000);
  const expiresAt = userSigExpiresAt(decoded);
  if (now > expiresAt) return { ok: false, reason: 'expired', decoded };
  // IM never issues a userbuf; accepting one would let a TRTC PrivateMapKey pass as a UserSig.
  if (decoded.userbuf !== undefined) return { ok: false, reason: 'userbuf-not-expected', decoded };

  const expectedSig = Buffer.from(userSigHmac(secretKey, decoded), 'utf8');
  const actualSig = Buffer.from(decoded.sig, 'utf8');
  const matches = expectedSig.length === actualSig.length && timingSafeEqual(expectedSig, actualSig);
  if (!matches) return { ok: false, reason: 'signature-mismatch', decoded };
  return { ok: true, decoded, expiresAt };
}
