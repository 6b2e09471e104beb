import { describe, expect, it } from 'vitest';
import { UserSigInputError, decodeUserSig, generateUserSig, verifyUserSig } from '../../src/usersig/usersig.js';
import { createUserSigSource, type UserSigProvider } from '../../src/client/usersig-source.js';

const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const APP = 1400000000;
const ADMIN = 'administrator';
const START_MS = 1_700_000_000_000;
const START_S = START_MS / 1000;

function manualClock(startMs = START_MS): { clock: () => number; set(ms: number): void } {
  let now = startMs;
  return {
    clock: () => now,
    set(ms) {
      now = ms;
    },
  };
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('createUserSigSource with a secret key', () => {
  it('generates nothing until the first get()', () => {
    const source = createUserSigSource({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN });
    expect(source.generatedCount).toBe(0);
  });

  it('reuses one UserSig for calls made before the refresh margin', async () => {
    const time = manualClock();
    const source = createUserSigSource({
      secretKey: KEY,
      sdkAppId: APP,
      identifier: ADMIN,
      expireSeconds: 3600,
      refreshMarginSeconds: 300,
      clock: time.clock,
    });
    const first = await source.get();
    for (const offsetMs of [0, 1_000, 60_000, 3_299_999]) {
      time.set(START_MS + offsetMs);
      expect(await source.get()).toBe(first);
    }
    expect(source.generatedCount).toBe(1);
    expect(verifyUserSig(KEY, first, { sdkAppId: APP, identifier: ADMIN, now: START_S })).toMatchObject({
      ok: true,
      expiresAt: START_S + 3600,
    });
  });

  it('generates a new UserSig once the refresh margin is reached', async () => {
    const time = manualClock();
    const source = createUserSigSource({
      secretKey: KEY,
      sdkAppId: APP,
      identifier: ADMIN,
      expireSeconds: 3600,
      refreshMarginSeconds: 300,
      clock: time.clock,
    });
    const first = await source.get();
    time.set(START_MS + 3_300_000);
    const second = await source.get();
    expect(second).not.toBe(first);
    expect(decodeUserSig(second).time).toBe(START_S + 3300);
    expect(source.generatedCount).toBe(2);
  });

  it('defaults to a one-day UserSig refreshed five minutes before expiry', async () => {
    const time = manualClock();
    const source = createUserSigSource({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, clock: time.clock });
    const first = await source.get();
    expect(decodeUserSig(first).expire).toBe(86400);
    time.set(START_MS + (86400 - 300) * 1000 - 1);
    expect(await source.get()).toBe(first);
    time.set(START_MS + (86400 - 300) * 1000);
    expect(await source.get()).not.toBe(first);
  });

  it('shares one generation among concurrent get() calls', async () => {
    const source = createUserSigSource({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, clock: manualClock().clock });
    const sigs = await Promise.all(Array.from({ length: 20 }, () => source.get()));
    expect(new Set(sigs).size).toBe(1);
    expect(source.generatedCount).toBe(1);
  });

  it('generates a new UserSig after invalidate()', async () => {
    const time = manualClock();
    const source = createUserSigSource({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, clock: time.clock });
    const first = await source.get();
    time.set(START_MS + 1000);
    source.invalidate();
    const second = await source.get();
    expect(second).not.toBe(first);
    expect(source.generatedCount).toBe(2);
  });

  it('keeps a replacement when invalidate() is told about an older, already replaced UserSig', async () => {
    const time = manualClock();
    const source = createUserSigSource({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, clock: time.clock });
    const stale = await source.get();
    time.set(START_MS + 1000);
    source.invalidate(stale);
    const replacement = await source.get();
    source.invalidate(stale);
    expect(await source.get()).toBe(replacement);
    expect(source.generatedCount).toBe(2);
  });

  it.each<[string, Record<string, number>, string]>([
    ['sdkAppId 0', { sdkAppId: 0 }, 'sdkAppId'],
    ['expireSeconds 0', { expireSeconds: 0 }, 'expireSeconds'],
    ['a margin as long as the validity', { expireSeconds: 600, refreshMarginSeconds: 600 }, 'refreshMarginSeconds'],
    ['a negative margin', { refreshMarginSeconds: -1 }, 'refreshMarginSeconds'],
  ])('rejects %s when created, naming %s and never the key', (_label, override, field) => {
    let caught: unknown;
    try {
      createUserSigSource({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, ...override });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UserSigInputError);
    expect((caught as UserSigInputError).field).toBe(field);
    expect((caught as Error).message).not.toContain(KEY);
  });
});

describe('createUserSigSource with a provider', () => {
  it('calls the provider once for concurrent get() calls during a refresh', async () => {
    const pending = deferred<string>();
    let calls = 0;
    const provider: UserSigProvider = () => {
      calls += 1;
      return pending.promise;
    };
    const source = createUserSigSource({ provider, clock: manualClock().clock });
    const gets = Array.from({ length: 10 }, () => source.get());
    const sig = generateUserSig({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, expireSeconds: 3600, now: START_S });
    pending.resolve(sig);
    expect(await Promise.all(gets)).toEqual(Array.from({ length: 10 }, () => sig));
    expect(calls).toBe(1);
    expect(source.generatedCount).toBe(1);
  });

  it('refreshes a decodable provider UserSig from its own expiry, not expireSeconds', async () => {
    const time = manualClock();
    let calls = 0;
    const source = createUserSigSource({
      provider: () => {
        calls += 1;
        const now = Math.floor(time.clock() / 1000);
        return generateUserSig({ secretKey: KEY, sdkAppId: APP, identifier: ADMIN, expireSeconds: 1000, now });
      },
      refreshMarginSeconds: 300,
      clock: time.clock,
    });
    const first = await source.get();
    time.set(START_MS + 699_999);
    expect(await source.get()).toBe(first);
    time.set(START_MS + 700_000);
    expect(await source.get()).not.toBe(first);
    expect(calls).toBe(2);
  });

  it('caches a UserSig it cannot decode for expireSeconds from the request', async () => {
    const time = manualClock();
    let calls = 0;
    const source = createUserSigSource({
      provider: () => `opaque-${++calls}`,
      expireSeconds: 600,
      refreshMarginSeconds: 60,
      clock: time.clock,
    });
    expect(await source.get()).toBe('opaque-1');
    time.set(START_MS + 539_999);
    expect(await source.get()).toBe('opaque-1');
    time.set(START_MS + 540_000);
    expect(await source.get()).toBe('opaque-2');
  });

  it('retries a failing provider on the next get() instead of caching the failure', async () => {
    let calls = 0;
    const source = createUserSigSource({
      provider: async () => {
        calls += 1;
        if (calls === 1) throw new Error('signing service unavailable');
        return 'sig-after-retry';
      },
      clock: manualClock().clock,
    });
    const concurrent = [source.get(), source.get()];
    for (const attempt of concurrent) await expect(attempt).rejects.toThrow('signing service unavailable');
    expect(calls).toBe(1);
    expect(source.generatedCount).toBe(0);
    expect(await source.get()).toBe('sig-after-retry');
    expect(calls).toBe(2);
    expect(source.generatedCount).toBe(1);
  });

  it('treats a provider that throws synchronously like one that rejects', async () => {
    let calls = 0;
    const source = createUserSigSource({
      provider: () => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        return 'second';
      },
      clock: manualClock().clock,
    });
    await expect(source.get()).rejects.toThrow('boom');
    expect(await source.get()).toBe('second');
  });

  it('rejects an empty provider result and asks again next time', async () => {
    const results = ['', 'real-sig'];
    const source = createUserSigSource({ provider: () => results.shift() ?? 'unexpected', clock: manualClock().clock });
    await expect(source.get()).rejects.toThrow(/empty/);
    expect(await source.get()).toBe('real-sig');
  });

  it('asks the provider again after invalidate()', async () => {
    let calls = 0;
    const source = createUserSigSource({ provider: () => `sig-${++calls}`, clock: manualClock().clock });
    expect(await source.get()).toBe('sig-1');
    source.invalidate('sig-1');
    expect(await source.get()).toBe('sig-2');
  });
});
