import { deflateSync, inflateSync } from 'node:zlib';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_USERSIG_EXPIRE_SECONDS,
  UserSigFormatError,
  UserSigInputError,
  decodeUserSig,
  generateUserSig,
  userSigExpiresAt,
  userSigHmac,
  verifyUserSig,
  type GenerateUserSigOptions,
} from '../../src/usersig/usersig.js';
import { seededRandom } from '../../scripts/seeded-random.js';

// Placeholder pair used by every official library's tests.
const DOC_KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const DOC_APP = 1400000000;
const VECTOR_TIME = 1569910200;
const VECTOR_EXPIRE = 15552000;
const PYTHON_USERSIG =
  'eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwjDB4pTsxIKCzBQlK0MTAyiAyKRWFGQWpQLFTU1NjeCiJZm5YDEzS0tDAyOYaHFmOtBM54KsUqeUwGLLqPK8UndHryCL-Lx8-1RPy7Ty1AijMk9f30hLk0x-r3CvSFulWgAPYy*9';


function toUserSig(json: string, level?: number): string {
  const bytes = deflateSync(Buffer.from(json, 'utf8'), level === undefined ? {} : { level });
  return bytes.toString('base64').replace(/\+/g, '*').replace(/\//g, '-').replace(/=/g, '_');
}

function formatReasonOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof UserSigFormatError) return error.reason;
    throw error;
  }
  throw new Error('expected a UserSigFormatError');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('userSigHmac', () => {
  it('matches the published fixed-time vector for identifier "0"', () => {
    const sig = userSigHmac(DOC_KEY, { identifier: '0', sdkAppId: DOC_APP, time: VECTOR_TIME, expire: VECTOR_EXPIRE });
    expect(sig).toBe('CpjuBdQs9ZwnuGAJR8onoOeI9fweX2vIMMY94iOJWJY=');
  });

  it('signs a userbuf line after expire when a userbuf is present', () => {
    const sig = userSigHmac(DOC_KEY, {
      identifier: '0',
      sdkAppId: DOC_APP,
      time: VECTOR_TIME,
      expire: VECTOR_EXPIRE,
      userbuf: Buffer.from('abc').toString('base64'),
    });
    expect(sig).toBe('bC3u5cuslSg8Ds7KY58mhSkTrxunrFu50dkdkCYH4i8=');
  });

  it('matches the Node-computed vector for identifier "xiaojun"', () => {
    const sig = userSigHmac(DOC_KEY, { identifier: 'xiaojun', sdkAppId: DOC_APP, time: VECTOR_TIME, expire: VECTOR_EXPIRE });
    expect(sig).toBe('gOoeW13s19Fgyn8RwlEt/rLkw3wzLq9M+SqBbXTIfnQ=');
  });

  it('refuses an empty secret key', () => {
    expect(() => userSigHmac('', { identifier: '0', sdkAppId: DOC_APP, time: 1, expire: 1 })).toThrow(UserSigInputError);
  });
});

describe('decodeUserSig', () => {
  it('decodes the Python-produced vector into the documented JSON fields', () => {
    expect(decodeUserSig(PYTHON_USERSIG)).toEqual({
      version: '2.0',
      identifier: '0',
      sdkAppId: DOC_APP,
      time: VECTOR_TIME,
      expire: VECTOR_EXPIRE,
      sig: 'CpjuBdQs9ZwnuGAJR8onoOeI9fweX2vIMMY94iOJWJY=',
    });
  });

  it('accepts the Go key order, a trailing newline and stored (level 0) zlib blocks', () => {
    const json =
      '{"TLS.ver":"2.0","TLS.identifier":"admin","TLS.sdkappid":1400000000,"TLS.expire":60,"TLS.time":100,"TLS.sig":"x"}\n';
    expect(decodeUserSig(toUserSig(json, 0))).toMatchObject({ identifier: 'admin', time: 100, expire: 60 });
  });

  it('writes the JSON keys in the official Node library order', () => {
    const userSig = generateUserSig({ secretKey: DOC_KEY, sdkAppId: DOC_APP, identifier: 'a', expireSeconds: 60, now: 5 });
    const base64 = userSig.replace(/\*/g, '+').replace(/-/g, '/').replace(/_/g, '=');
    const doc = JSON.parse(inflateSync(Buffer.from(base64, 'base64')).toString('utf8')) as object;
    expect(Object.keys(doc)).toEqual(['TLS.ver', 'TLS.identifier', 'TLS.sdkappid', 'TLS.time', 'TLS.expire', 'TLS.sig']);
  });

  it('returns the userbuf when the document carries one', () => {
    const json = `{"TLS.ver":"2.0","TLS.identifier":"0","TLS.sdkappid":1,"TLS.time":1,"TLS.expire":1,"TLS.userbuf":"YWJj","TLS.sig":"x"}`;
    expect(decodeUserSig(toUserSig(json)).userbuf).toBe('YWJj');
  });

  it.each([
    ['an empty string', '', 'empty'],
    ['characters outside the UserSig alphabet', 'eJyr+Vgr/', 'not-base64'],
    ['a length no Base64 text can have', 'eJyrV', 'not-base64'],
    ['padding in the middle', 'eJ_yrVgr', 'not-base64'],
    ['Base64 that is not zlib', Buffer.from('hello world').toString('base64').replace(/=/g, '_'), 'not-zlib'],
    ['zlib that is not JSON', toUserSig('not json'), 'not-json'],
    ['JSON that is not an object', toUserSig('[1,2]'), 'not-json'],
    ['JSON without TLS.sig', toUserSig('{"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":1,"TLS.expire":1}'), 'missing-fields'],
    ['a string sdkappid', toUserSig('{"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":"1","TLS.time":1,"TLS.expire":1,"TLS.sig":"x"}'), 'missing-fields'],
    ['a fractional time', toUserSig('{"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":1.5,"TLS.expire":1,"TLS.sig":"x"}'), 'missing-fields'],
  ])('rejects %s with reason %s', (_label, userSig, reason) => {
    expect(formatReasonOf(() => decodeUserSig(userSig))).toBe(reason);
  });

  it('reports a truncated UserSig as not Base64 or not zlib, for every cut point', () => {
    for (let length = 1; length < PYTHON_USERSIG.length; length += 1) {
      expect(['not-base64', 'not-zlib']).toContain(formatReasonOf(() => decodeUserSig(PYTHON_USERSIG.slice(0, length))));
    }
  });

  it('refuses to inflate a document far larger than any real UserSig', () => {
    const bomb = toUserSig(' '.repeat(1024 * 1024));
    expect(formatReasonOf(() => decodeUserSig(bomb))).toBe('not-zlib');
  });

  it('keeps the UserSig and its HMAC out of error messages', () => {
    const broken = PYTHON_USERSIG.slice(0, 40);
    try {
      decodeUserSig(broken);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(broken);
    }
    const noVersion = toUserSig('{"TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":1,"TLS.expire":1,"TLS.sig":"SECRETSIG"}');
    expect(() => decodeUserSig(noVersion)).toThrow(/TLS\.ver/);
    expect(() => decodeUserSig(noVersion)).not.toThrow(/SECRETSIG/);
  });
});

describe('generateUserSig', () => {
  it('matches the official tls-sig-api-v2 package field for field and HMAC for 250 random inputs', () => {
    const random = seededRandom(0x5eed);
    const pick = (alphabet: string, min: number, max: number): string => {
      const chars = Array.from(alphabet);
      const length = min + Math.floor(random() * (max - min + 1));
      return Array.from({ length }, () => chars[Math.floor(random() * chars.length)]).join('');
    };
    const printable = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
    vi.useFakeTimers({ toFake: ['Date'] });

    for (let i = 0; i < 250; i += 1) {
      const secretKey = i % 5 === 0 ? pick(`${printable}éß漢字🔑`, 1, 80) : pick('0123456789abcdef', 64, 64);
      const sdkAppId = 1 + Math.floor(random() * 4294967295);
      const identifier = i % 7 === 0 ? pick(`${printable}中文✓`, 1, 32) : pick('abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-', 1, 32);
      const expireSeconds = 1 + Math.floor(random() * MAX_USERSIG_EXPIRE_SECONDS);
      const time = Math.floor(random() * 4_000_000_000);
      vi.setSystemTime(time * 1000 + Math.floor(random() * 1000));

      const official = new TLSSigAPIv2.Api(sdkAppId, secretKey).genUserSig(identifier, expireSeconds);
      const ours = generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds, now: time });

      const decodedOfficial = decodeUserSig(official);
      const decodedOurs = decodeUserSig(ours);
      expect(decodedOurs).toEqual(decodedOfficial);
      expect(decodedOurs).toEqual({ version: '2.0', identifier, sdkAppId, time, expire: expireSeconds, sig: decodedOurs.sig });
      expect(decodedOurs.sig).toBe(userSigHmac(secretKey, { identifier, sdkAppId, time, expire: expireSeconds }));
      expect(verifyUserSig(secretKey, official, { sdkAppId, identifier, now: time }).ok).toBe(true);
    }
  });

  it('uses the current time, floored to seconds, when now is omitted', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_700_000_000_999);
    const decoded = decodeUserSig(generateUserSig({ secretKey: DOC_KEY, sdkAppId: DOC_APP, identifier: 'a', expireSeconds: 60 }));
    expect(decoded.time).toBe(1_700_000_000);
  });

  it('accepts the 50-year maximum validity', () => {
    const userSig = generateUserSig({
      secretKey: DOC_KEY,
      sdkAppId: 4294967295,
      identifier: 'a',
      expireSeconds: 50 * 365 * 86400,
      now: 0,
    });
    expect(decodeUserSig(userSig)).toMatchObject({ sdkAppId: 4294967295, expire: 1576800000 });
  });

  const valid: GenerateUserSigOptions = { secretKey: DOC_KEY, sdkAppId: DOC_APP, identifier: 'admin', expireSeconds: 86400, now: 1 };
  it.each<[string, Partial<GenerateUserSigOptions>, string]>([
    ['an empty secret key', { secretKey: '' }, 'secretKey'],
    ['sdkAppId 0', { sdkAppId: 0 }, 'sdkAppId'],
    ['sdkAppId above 2^32-1', { sdkAppId: 4294967296 }, 'sdkAppId'],
    ['a fractional sdkAppId', { sdkAppId: 1.5 }, 'sdkAppId'],
    ['a NaN sdkAppId', { sdkAppId: Number.NaN }, 'sdkAppId'],
    ['an empty identifier', { identifier: '' }, 'identifier'],
    ['expireSeconds 0', { expireSeconds: 0 }, 'expireSeconds'],
    ['expireSeconds beyond 50 years', { expireSeconds: MAX_USERSIG_EXPIRE_SECONDS + 1 }, 'expireSeconds'],
    ['fractional expireSeconds', { expireSeconds: 60.5 }, 'expireSeconds'],
    ['a negative now', { now: -1 }, 'now'],
    ['a fractional now', { now: 1.25 }, 'now'],
  ])('rejects %s with an error naming %s and never the key', (_label, override, field) => {
    let caught: unknown;
    try {
      generateUserSig({ ...valid, ...override });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserSigInputError);
    expect(caught).toBeInstanceOf(RangeError);
    const error = caught as UserSigInputError;
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(error.message).not.toContain(DOC_KEY);
  });
});

describe('verifyUserSig', () => {
  const app = 1400012345;
  const identifier = 'administrator';
  const time = 1_700_000_000;
  const expire = 3600;
  const userSig = generateUserSig({ secretKey: DOC_KEY, sdkAppId: app, identifier, expireSeconds: expire, now: time });

  it('accepts a fresh UserSig and reports when it stops being valid', () => {
    const result = verifyUserSig(DOC_KEY, userSig, { sdkAppId: app, identifier, now: time });
    expect(result).toMatchObject({ ok: true, expiresAt: time + expire });
    if (result.ok) expect(userSigExpiresAt(result.decoded)).toBe(time + expire);
  });

  it('accepts the Python-produced vector with the documented key at its issue time', () => {
    expect(verifyUserSig(DOC_KEY, PYTHON_USERSIG, { sdkAppId: DOC_APP, identifier: '0', now: VECTOR_TIME }).ok).toBe(true);
  });

  it('is still valid at exactly time + expire and expired one second later', () => {
    expect(verifyUserSig(DOC_KEY, userSig, { sdkAppId: app, identifier, now: time + expire }).ok).toBe(true);
    expect(verifyUserSig(DOC_KEY, userSig, { sdkAppId: app, identifier, now: time + expire + 1 })).toMatchObject({
      ok: false,
      reason: 'expired',
      decoded: { time, expire },
    });
  });

  it('reports an empty UserSig as empty', () => {
    expect(verifyUserSig(DOC_KEY, '', { sdkAppId: app, identifier, now: time })).toEqual({ ok: false, reason: 'empty' });
  });

  it('reports every truncation of a UserSig as malformed', () => {
    for (let length = 1; length < userSig.length - 2; length += 1) {
      const result = verifyUserSig(DOC_KEY, userSig.slice(0, length), { sdkAppId: app, identifier, now: time });
      expect(result.ok ? 'ok' : result.reason).toBe('malformed');
    }
  });

  it('reports a UserSig made with another key as a signature mismatch', () => {
    const other = generateUserSig({ secretKey: `${DOC_KEY.slice(0, -1)}f`, sdkAppId: app, identifier, expireSeconds: expire, now: time });
    expect(verifyUserSig(DOC_KEY, other, { sdkAppId: app, identifier, now: time })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
  });

  it('reports a document edited after signing as a signature mismatch', () => {
    const sig = userSigHmac(DOC_KEY, { identifier, sdkAppId: app, time, expire });
    const extended = `{"TLS.ver":"2.0","TLS.identifier":"${identifier}","TLS.sdkappid":${app},"TLS.time":${time},"TLS.expire":${expire * 100},"TLS.sig":"${sig}"}`;
    expect(verifyUserSig(DOC_KEY, toUserSig(extended), { sdkAppId: app, identifier, now: time })).toMatchObject({
      ok: false,
      reason: 'signature-mismatch',
    });
  });

  it('reports a UserSig for another app as an sdkappid mismatch', () => {
    expect(verifyUserSig(DOC_KEY, userSig, { sdkAppId: app + 1, identifier, now: time })).toMatchObject({ ok: false, reason: 'sdkappid-mismatch' });
  });

  it('reports a UserSig for another account as an identifier mismatch', () => {
    expect(verifyUserSig(DOC_KEY, userSig, { sdkAppId: app, identifier: 'someone-else', now: time })).toMatchObject({
      ok: false,
      reason: 'identifier-mismatch',
    });
  });

  it('checks sdkappid, then identifier, then expiry, then the signature, like the official Go verifier', () => {
    const wrongKey = 'not-the-key';
    const late = time + expire + 1;
    expect(verifyUserSig(wrongKey, userSig, { sdkAppId: 1, identifier: 'x', now: late })).toMatchObject({ reason: 'sdkappid-mismatch' });
    expect(verifyUserSig(wrongKey, userSig, { sdkAppId: app, identifier: 'x', now: late })).toMatchObject({ reason: 'identifier-mismatch' });
    expect(verifyUserSig(wrongKey, userSig, { sdkAppId: app, identifier, now: late })).toMatchObject({ reason: 'expired' });
    expect(verifyUserSig(wrongKey, userSig, { sdkAppId: app, identifier, now: time })).toMatchObject({ reason: 'signature-mismatch' });
  });

  it('refuses a correctly signed TRTC PrivateMapKey-style sig that carries a userbuf', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(time * 1000);
    const withUserbuf = new TLSSigAPIv2.Api(app, DOC_KEY).genSig(identifier, expire, Buffer.from('abc'));
    const decoded = decodeUserSig(withUserbuf);
    expect(decoded.userbuf).toBe('YWJj');
    expect(decoded.sig).toBe(userSigHmac(DOC_KEY, { identifier, sdkAppId: app, time, expire, userbuf: 'YWJj' }));
    expect(verifyUserSig(DOC_KEY, withUserbuf, { sdkAppId: app, identifier, now: time })).toMatchObject({
      ok: false,
      reason: 'userbuf-not-expected',
    });
  });

  it('uses the current time when now is omitted', () => {
    const current = Math.floor(Date.now() / 1000);
    const fresh = generateUserSig({ secretKey: DOC_KEY, sdkAppId: app, identifier, expireSeconds: 60, now: current });
    const stale = generateUserSig({ secretKey: DOC_KEY, sdkAppId: app, identifier, expireSeconds: 60, now: current - 3600 });
    expect(verifyUserSig(DOC_KEY, fresh, { sdkAppId: app, identifier }).ok).toBe(true);
    expect(verifyUserSig(DOC_KEY, stale, { sdkAppId: app, identifier })).toMatchObject({ reason: 'expired' });
  });
});
