/**
 * A `userSig` provider is the caller's code, possibly a remote signing service: whatever it does (hang, throw,
 * return nonsense), the call resolves with a typed result, sends nothing, and does not leave later calls stuck.
 * Time is a manual clock, so the provider timeout is tested without waiting.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  ClientOptionsError,
  DEFAULT_USERSIG_TIMEOUT_MS,
  NetworkError,
  UserSigError,
  UserSigUnavailableError,
  createChatGroupsClient,
  createUserSigSource,
  generateUserSig,
  type CallResult,
  type ChatGroupsClientOptions,
  type Clock,
} from '../../src/index.js';
import { Capture } from '../support/client-capture.js';

const secretKey = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const sdkAppId = 1400000000;
const identifier = 'administrator';
const validBody = { From_Account: 'user_0001', GroupName: ['group_0001'] as [string] };
const success = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' };
const goodSig = (): string => generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds: 86_400 });

const capture = new Capture();
afterAll(() => {
  expect(capture.leaks([secretKey, ...capture.userSigs])).toEqual([]);
});

/** Timers that fire only when the test advances them. */
function manualClock(): Clock & { advance(ms: number): Promise<void> } {
  let now = 0;
  let timers: { at: number; callback: () => void; handle: number }[] = [];
  let next = 0;
  return {
    now: () => now,
    setTimeout(callback, ms) {
      next += 1;
      timers.push({ at: now + ms, callback, handle: next });
      return next;
    },
    clearTimeout(handle) {
      timers = timers.filter((timer) => timer.handle !== handle);
    },
    async advance(ms) {
      now += ms;
      const due = timers.filter((timer) => timer.at <= now);
      timers = timers.filter((timer) => timer.at > now);
      for (const timer of due) timer.callback();
      // Let the promises those timers settle run.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

function setUp(userSig: () => unknown, overrides: Partial<Record<keyof ChatGroupsClientOptions, unknown>> = {}) {
  const clock = manualClock();
  const fetch = vi.fn(async () => new Response(JSON.stringify(success), { status: 200 }));
  const chat = createChatGroupsClient({
    sdkAppId,
    identifier,
    userSig,
    baseUrl: 'https://chat.test',
    fetch: capture.fetch(fetch as unknown as typeof globalThis.fetch),
    clock,
    onAttempt: capture.event,
    ...overrides,
  } as ChatGroupsClientOptions);
  return { chat, clock, fetch };
}

function failed(result: CallResult<'delContactGroup'>) {
  capture.result(result);
  if (result.ok) throw new Error('expected a failure');
  return result;
}

/** Whether a promise has settled, without waiting for it. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('a userSig provider that never settles', () => {
  it(`ends the call with a UserSigError after the default ${DEFAULT_USERSIG_TIMEOUT_MS} ms, nothing sent`, async () => {
    const { chat, clock, fetch } = setUp(() => new Promise<string>(() => undefined));
    const call = chat.delContactGroup(validBody);
    await clock.advance(DEFAULT_USERSIG_TIMEOUT_MS - 1);
    expect(await settled(call)).toBe(false);
    await clock.advance(1);
    const result = failed(await call);
    expect(result.error).toBeInstanceOf(UserSigError);
    expect(result.error).toMatchObject({ kind: 'usersig', reason: 'timeout', delivery: 'not-sent', retryable: false, strategy: 'none', code: undefined });
    expect(result.error.message).toContain('userSigTimeoutMs');
    expect((result.error as UserSigError).hint).toContain('userSigTimeoutMs');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]?.outcome).toEqual({ kind: 'usersig', code: undefined, reason: 'timeout' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('honours userSigTimeoutMs and asks the provider again on the next call', async () => {
    let calls = 0;
    const { chat, clock, fetch } = setUp(() => (++calls === 1 ? new Promise<string>(() => undefined) : goodSig()), { userSigTimeoutMs: 250 });
    const first = chat.delContactGroup(validBody);
    await clock.advance(250);
    expect(failed(await first).error).toMatchObject({ kind: 'usersig', reason: 'timeout' });
    const second = await chat.delContactGroup(validBody);
    expect(second.ok).toBe(true);
    expect(calls).toBe(2);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it("ends the call as soon as the caller's signal aborts, as an abort before sending", async () => {
    const { chat, fetch } = setUp(() => new Promise<string>(() => undefined));
    const controller = new AbortController();
    const call = chat.delContactGroup(validBody, { signal: controller.signal });
    expect(await settled(call)).toBe(false);
    controller.abort();
    const result = failed(await call);
    expect(result.error).toBeInstanceOf(NetworkError);
    expect(result.error).toMatchObject({ kind: 'network', reason: 'aborted', delivery: 'not-sent' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("reports the caller's timeout signal firing during the wait as a timeout", async () => {
    const { chat } = setUp(() => new Promise<string>(() => undefined));
    const controller = new AbortController();
    const call = chat.delContactGroup(validBody, { signal: controller.signal });
    controller.abort(new DOMException('too slow', 'TimeoutError'));
    expect(failed(await call).error).toMatchObject({ kind: 'network', reason: 'timeout', delivery: 'not-sent' });
  });
});

describe('client.raw with a userSig provider that never settles', () => {
  const path = '/v4/recentcontact/del_contact_group' as const;

  it('rejects with a UserSigUnavailableError after userSigTimeoutMs, nothing sent', async () => {
    const { chat, clock, fetch } = setUp(() => new Promise<string>(() => undefined), { userSigTimeoutMs: 300 });
    const sending = chat.raw.POST(path, { body: validBody });
    const outcome = Promise.allSettled([sending]);
    await clock.advance(300);
    const [settledRaw] = await outcome;
    expect(settledRaw?.status).toBe('rejected');
    expect(settledRaw?.status === 'rejected' ? settledRaw.reason : undefined).toMatchObject({ name: 'UserSigUnavailableError', reason: 'timeout' });
    expect(fetch).not.toHaveBeenCalled();
  });

  it("rejects as soon as the request's signal aborts", async () => {
    const { chat, fetch } = setUp(() => new Promise<string>(() => undefined));
    const controller = new AbortController();
    const sending = chat.raw.POST(path, { body: validBody, signal: controller.signal });
    const outcome = Promise.allSettled([sending]);
    controller.abort();
    const [settledRaw] = await outcome;
    expect(settledRaw?.status === 'rejected' ? settledRaw.reason : undefined).toMatchObject({ name: 'AbortError' });
    expect(fetch).not.toHaveBeenCalled();
  });
});

describe('a userSig provider that fails', () => {
  it.each<[string, () => unknown]>([
    ['a number', () => 42],
    ['undefined', () => undefined],
    ['an empty string', () => ''],
    ['a promise of an object', () => Promise.resolve({ userSig: 'x' })],
  ])('returning %s ends the call with a UserSigError (invalid-value)', async (_case, provider) => {
    const { chat, fetch } = setUp(provider);
    const result = failed(await chat.delContactGroup(validBody));
    expect(result.error).toMatchObject({ kind: 'usersig', reason: 'invalid-value', retryable: false });
    expect((result.error as UserSigError).hint).toMatch(/string/);
    expect(fetch).not.toHaveBeenCalled();
  });

  it.each<[string, () => unknown]>([
    ['throwing synchronously', () => {
      throw new Error('kms down');
    }],
    ['rejecting', () => Promise.reject(new Error('kms down'))],
    ['throwing a non-Error', () => {
      throw 'kms down';
    }],
  ])('%s ends the call with a UserSigError (provider-error) that keeps the message', async (_case, provider) => {
    const { chat, fetch } = setUp(provider);
    const result = failed(await chat.delContactGroup(validBody));
    expect(result.error).toMatchObject({ kind: 'usersig', reason: 'provider-error' });
    expect(result.error.message).toContain('kms down');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('ends a retry that needs a new UserSig with a UserSigError after the first attempt', async () => {
    let calls = 0;
    const { chat, fetch } = setUp(() => (++calls === 1 ? goodSig() : Promise.reject(new Error('kms down'))));
    fetch.mockImplementation(async () => new Response(JSON.stringify({ ActionStatus: 'FAIL', ErrorCode: 70001, ErrorInfo: 'expired' }), { status: 200 }));
    const result = failed(await chat.delContactGroup(validBody));
    expect(result.attempts.map((attempt) => attempt.outcome.kind)).toEqual(['api', 'usersig']);
    expect(result.error).toMatchObject({ kind: 'usersig', reason: 'provider-error' });
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});

describe('options', () => {
  it.each([0, -1, Number.NaN, 2 ** 31])('refuses userSigTimeoutMs %s, naming it', (value) => {
    expect(() => setUp(goodSig, { userSigTimeoutMs: value })).toThrow(ClientOptionsError);
    expect(() => setUp(goodSig, { userSigTimeoutMs: value })).toThrow(/userSigTimeoutMs/);
  });

  it.each([0, 1.5, '1000'])('refuses maxResponseBytes %s, naming it', (value) => {
    expect(() => setUp(goodSig, { maxResponseBytes: value })).toThrow(/maxResponseBytes/);
  });
});

describe('createUserSigSource with a provider', () => {
  it('rejects get() with a UserSigUnavailableError once providerTimeoutMs passes, then asks again', async () => {
    const clock = manualClock();
    let calls = 0;
    const source = createUserSigSource({
      provider: () => (++calls === 1 ? new Promise<string>(() => undefined) : 'second-sig'),
      providerTimeoutMs: 100,
      timers: clock,
    });
    const waiting = Promise.allSettled([source.get(), source.get()]);
    await clock.advance(100);
    for (const outcome of await waiting) {
      expect(outcome.status).toBe('rejected');
      const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
      expect(reason).toBeInstanceOf(UserSigUnavailableError);
      expect(reason).toMatchObject({ reason: 'timeout' });
    }
    expect(await source.get()).toBe('second-sig');
    expect(calls).toBe(2);
  });

  it('lets one waiter abort without failing the others', async () => {
    let resolve: (sig: string) => void = () => undefined;
    const source = createUserSigSource({ provider: () => new Promise<string>((settle) => (resolve = settle)) });
    const controller = new AbortController();
    const abandoned = source.get(controller.signal);
    const kept = source.get();
    controller.abort();
    await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
    resolve('the-sig');
    expect(await kept).toBe('the-sig');
  });
});
