/**
 * The rate limiter, the concurrency cap and the gate that combines them: first with an injected clock (exact times,
 * no waiting), then through the client against the sandbox, which refuses calls over its own limit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/client/flow/clock.js';
import { Semaphore } from '../../src/client/flow/concurrency.js';
import { createChatGroupsClient, type ChatGroupsClientOptions } from '../../src/client/client.js';
import { ClientOptionsError } from '../../src/errors.js';
import { SlidingWindowLimiter, type RatePermit } from '../../src/client/flow/rate-limiter.js';
import { RequestGate } from '../../src/client/flow/gate.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';
import { Capture } from '../support/client-capture.js';
import { mostInAnyWindow } from '../../scripts/bench/bench-support.js';

/** A clock whose time moves only when told to, running due timers in order. */
class FakeClock implements Clock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  /** Every delay a timer was set with, to check nothing polls. */
  readonly delays: number[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    this.delays.push(ms);
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves to `time`, firing every timer due on the way at its own time, and lets promise callbacks run. */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      await settle();
      let next: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= time && (next === undefined || entry[1].at < next[1].at)) next = entry;
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].callback();
    }
    this.#now = Math.max(this.#now, time);
    await settle();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Queues `count` requests at once and records when each is granted. */
function queue(limiter: SlidingWindowLimiter, clock: FakeClock, count: number, signals: (AbortSignal | undefined)[] = []) {
  const granted: { index: number; at: number; permit: RatePermit }[] = [];
  const rejected: { index: number; reason: unknown }[] = [];
  for (let index = 0; index < count; index += 1) {
    limiter.acquire(signals[index]).then(
      (permit) => granted.push({ index, at: clock.now(), permit }),
      (reason: unknown) => rejected.push({ index, reason }),
    );
  }
  return { granted, rejected };
}

/** The most requests any window of `windowMs` could hold, each received anywhere between its grant and its answer. */
function worstCaseWindow(requests: readonly { grantedAt: number; answeredAt: number }[], windowMs: number): number {
  let worst = 0;
  for (const { answeredAt: start } of requests) {
    const count = requests.filter((request) => request.grantedAt < start + windowMs && request.answeredAt >= start).length;
    worst = Math.max(worst, count);
  }
  return worst;
}


describe('SlidingWindowLimiter (injected clock)', () => {
  it('lets a short burst go at once, then spaces requests evenly at window / limit, on time', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(10, 1000, clock);
    const { granted } = queue(limiter, clock, 6);
    await clock.advanceTo(0);
    // The catch-up span (100 ms) is one interval here: the first two go at once.
    expect(granted.map((grant) => grant.at)).toEqual([0, 0]);
    for (const grant of granted) grant.permit.release();
    await clock.advanceTo(1000);
    expect(granted.map((grant) => grant.at)).toEqual([0, 0, 100, 200, 300, 400]);
    // No polling: one timer per wait, each set for exactly the time until the next request is due.
    expect(clock.delays).toEqual([100, 100, 100, 100]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('grants in the order requests asked (FIFO), and a newcomer never overtakes the queue', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(5, 1000, clock);
    const { granted } = queue(limiter, clock, 20);
    const late = queue(limiter, clock, 1);
    for (let time = 0; time <= 5000; time += 50) {
      await clock.advanceTo(time);
      for (const grant of granted) grant.permit.release();
    }
    expect(granted.map((grant) => grant.index)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(late.granted[0]?.at).toBeGreaterThan(granted.at(-1)?.at ?? Number.POSITIVE_INFINITY);
  });

  it('counts a request until a full window after its answer, so a slow answer holds its slot', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(3, 1000, clock, 3);
    const { granted } = queue(limiter, clock, 4);
    await clock.advanceTo(0);
    expect(granted).toHaveLength(3);
    // The first two answer at 10 ms, the third stays in flight until 1500 ms.
    await clock.advanceTo(10);
    granted[0]?.permit.release();
    granted[1]?.permit.release();
    await clock.advanceTo(1009);
    expect(granted).toHaveLength(3);
    await clock.advanceTo(1010);
    expect(granted.map((grant) => grant.at)).toEqual([0, 0, 0, 1010]);
    // The two answered at 10 ms stop counting now; the slow one and the new one are in flight.
    expect(limiter.counted).toBe(2);
  });

  it('counts calls reserved from another limiter, above its own limit, until a window after their release', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(2, 1000, clock, 2);
    // Three calls let through elsewhere (more than this limiter's limit of 2) hand over while in flight.
    const reserved = [limiter.reserve(), limiter.reserve(), limiter.reserve()];
    expect(limiter.counted).toBe(3);
    const { granted } = queue(limiter, clock, 1);
    await clock.advanceTo(100);
    for (const permit of reserved) permit.release();
    // Two of three must stop counting before one is free: all three were answered at 100 ms.
    await clock.advanceTo(1099);
    expect(granted).toHaveLength(0);
    await clock.advanceTo(1100);
    expect(granted.map((grant) => grant.at)).toEqual([1100]);
  });

  it('waits for an answer without any timer when every counted request is still in flight', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(2, 1000, clock, 2);
    const { granted } = queue(limiter, clock, 3);
    await clock.advanceTo(5000);
    expect(granted).toHaveLength(2);
    expect(clock.pendingTimers).toBe(0);
    granted[0]?.permit.release();
    await clock.advanceTo(5999);
    expect(granted).toHaveLength(2);
    await clock.advanceTo(6000);
    expect(granted.map((grant) => grant.at)).toEqual([0, 0, 6000]);
  });

  it('never lets any window hold more than the limit, wherever each request lands between grant and answer', async () => {
    const clock = new FakeClock();
    const limit = 7;
    const limiter = new SlidingWindowLimiter(limit, 1000, clock);
    const requests: { grantedAt: number; answeredAt: number }[] = [];
    // A fixed pseudo-random workload: arrivals in bursts of six every 300 ms, answers after 0 to 400 ms.
    let seed = 42;
    const random = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let index = 0; index < 120; index += 1) {
      const latency = Math.floor(random() * 400);
      clock.setTimeout(() => {
        void limiter.acquire().then((permit) => {
          const grantedAt = clock.now();
          clock.setTimeout(() => {
            permit.release();
            requests.push({ grantedAt, answeredAt: clock.now() });
          }, latency);
        });
      }, Math.floor(index / 6) * 300 + Math.floor(random() * 50));
    }
    await clock.advanceTo(60_000);
    expect(requests).toHaveLength(120);
    expect(worstCaseWindow(requests, 1000)).toBeLessThanOrEqual(limit);
    expect(mostInAnyWindow(requests.map((request) => request.grantedAt), 1000)).toBeLessThanOrEqual(limit);
  });

  it('wastes no quota: with instant answers a backlog goes at exactly the limit over a long run', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(200, 1000, clock);
    const grantedAt: number[] = [];
    for (let index = 0; index < 2_300; index += 1) {
      void limiter.acquire().then((permit) => {
        grantedAt.push(clock.now());
        permit.release();
      });
    }
    await clock.advanceTo(11_000);
    // 200/s after the catch-up span at the start (100 ms of the pace, 20 requests at once).
    expect(grantedAt.filter((time) => time < 10_000).length).toBeGreaterThanOrEqual(2_000);
    expect(mostInAnyWindow(grantedAt, 1000)).toBeLessThanOrEqual(200);
  });

  it('rejects a queued request whose signal aborts, with its reason, and it takes no slot', async () => {
    const clock = new FakeClock();
    const limiter = new SlidingWindowLimiter(10, 1000, clock);
    const controller = new AbortController();
    const { granted, rejected } = queue(limiter, clock, 4, [undefined, undefined, controller.signal]);
    await clock.advanceTo(0);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    for (const grant of granted) grant.permit.release();
    await clock.advanceTo(1000);
    expect(rejected).toEqual([{ index: 2, reason }]);
    // The fourth takes the aborted one's turn.
    expect(granted.map((grant) => [grant.index, grant.at])).toEqual([
      [0, 0],
      [1, 0],
      [3, 100],
    ]);
    await expect(limiter.acquire(AbortSignal.abort(reason))).rejects.toBe(reason);
  });
});

describe('Semaphore and RequestGate', () => {
  it('keeps at most max in flight, in FIFO order, and skips a waiter that aborted', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    const controller = new AbortController();
    const releases = await Promise.all([semaphore.acquire(), semaphore.acquire()]);
    const waiting = [0, 1, 2].map((index) =>
      semaphore.acquire(index === 1 ? controller.signal : undefined).then(
        (release) => {
          order.push(index);
          return release;
        },
        () => undefined,
      ),
    );
    controller.abort();
    expect(semaphore.inFlight).toBe(2);
    releases[0]?.();
    releases[1]?.();
    const [first, aborted, third] = await Promise.all(waiting);
    expect(order).toEqual([0, 2]);
    expect(aborted).toBeUndefined();
    expect(semaphore.inFlight).toBe(2);
    first?.();
    third?.();
    expect(semaphore.inFlight).toBe(0);
  });

  it('gives the rate slot back when a request aborts while waiting for the concurrency cap', async () => {
    const clock = new FakeClock();
    const gate = new RequestGate({ delContactGroup: 5 }, new Semaphore(1), clock);
    const first = await gate.enter('delContactGroup', undefined);
    const controller = new AbortController();
    const second = gate.enter('delContactGroup', controller.signal);
    // Paced 200 ms apart with 100 ms of catch-up: the second has its rate slot at 100 ms, then waits for the cap.
    await clock.advanceTo(100);
    expect(gate.limiter('delContactGroup')?.counted).toBe(2);
    controller.abort();
    await expect(second).rejects.toBeDefined();
    first.release();
    expect(gate.limiter('delContactGroup')?.counted).toBe(2);
    // Both stop counting a window after their end; neither is in flight any more.
    await clock.advanceTo(1100);
    expect(gate.limiter('delContactGroup')?.counted).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Against the sandbox

const SDK_APP_ID = 1400000000;
const ADMIN = 'administrator';
const capture = new Capture();

function fixture(users: number): Fixture {
  return {
    sdkAppId: SDK_APP_ID,
    admins: [ADMIN],
    edition: 'ultimate',
    users: Object.fromEntries(Array.from({ length: users }, (_, index) => [`u${index}`, { groups: { g: [{ Type: 1 as const, To_Account: ADMIN }] } }])),
  };
}

function client(sandbox: RunningSandbox, options: Partial<ChatGroupsClientOptions> = {}, base: typeof fetch = fetch) {
  return createChatGroupsClient({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    secretKey: DEVELOPMENT_SECRET_KEY,
    baseUrl: sandbox.url,
    fetch: capture.fetch(base),
    onAttempt: capture.event,
    ...options,
  } as ChatGroupsClientOptions);
}

const rateLimitCodes = [60007, 60011, 60018, 60019];

describe('client limits against the sandbox', () => {
  let limited: RunningSandbox;
  let strict: RunningSandbox;
  let faulty: RunningSandbox;

  beforeAll(async () => {
    capture.start();
    [limited, strict, faulty] = await Promise.all([
      startSandbox({ port: 0, rateLimit: 20, fixture: fixture(100) }),
      startSandbox({ port: 0, rateLimit: 5, fixture: fixture(20) }),
      startSandbox({ port: 0, allowFaults: true, rateLimit: 'off', fixture: fixture(20) }),
    ]);
  });

  afterAll(async () => {
    capture.stop();
    await Promise.all([limited?.close(), strict?.close(), faulty?.close()]);
  });

  it('ends a call whose caller aborts while it waits for the limiter, having sent nothing', async () => {
    let sent = 0;
    // Not the sandbox of the burst below: its window must hold only that burst's calls.
    const chat = client(faulty, { rateLimit: 1, retry: false }, (input, init) => {
      sent += 1;
      return fetch(input, init);
    });
    const first = chat.delContactGroup({ From_Account: 'u19', GroupName: ['none'] });
    const controller = new AbortController();
    const second = chat.delContactGroup({ From_Account: 'u19', GroupName: ['none'] }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const [firstResult, secondResult] = [capture.result(await first), capture.result(await second)];
    expect(firstResult.ok ? 0 : firstResult.error.code).toBe(51009);
    if (secondResult.ok || secondResult.error.kind !== 'network') throw new Error('expected a network failure');
    expect(secondResult.error).toMatchObject({ reason: 'aborted', delivery: 'not-sent', retryable: false });
    expect(secondResult.attempts).toHaveLength(1);
    expect(secondResult.attempts[0]?.outcome).toMatchObject({ kind: 'network', reason: 'aborted', delivery: 'not-sent' });
    expect(sent).toBe(1);
  });

  it('sends a burst of 24 calls at 20/s with no rate-limit answer and never more than 20 in any second', async () => {
    const sentAt: number[] = [];
    const chat = client(limited, { rateLimit: 20, retry: false }, (input, init) => {
      sentAt.push(performance.now());
      return fetch(input, init);
    });
    // The pacing itself is checked on a fake clock above, and its real-time accuracy by scripts/bench/bench-limiter.ts;
    // here a real sandbox that enforces the same limit is the referee.
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, index) => chat.delContactGroup({ From_Account: `u${index}`, GroupName: ['g'] }).then((result) => capture.result(result))),
    );
    expect(results.filter((result) => !result.ok).map((result) => (result.ok ? 0 : result.error.code))).toEqual([]);
    expect(mostInAnyWindow(sentAt, 1000)).toBeLessThanOrEqual(20);
  }, 15_000);

  it('gets rate-limit answers from the same sandbox when the client limit is off (the sandbox does enforce it)', async () => {
    const chat = client(strict, { rateLimit: 'off', retry: false });
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, index) => chat.delContactGroup({ From_Account: `u${index}`, GroupName: ['none'] }).then((result) => capture.result(result))),
    );
    const codes = results.map((result) => (result.ok ? 0 : result.error.code));
    expect(codes.filter((code) => rateLimitCodes.includes(code ?? 0)).length).toBeGreaterThan(0);
  });

  it('keeps at most maxConcurrency requests in flight', async () => {
    await fetch(`${faulty.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ count: 5, delayMs: 60 }) });
    let inFlight = 0;
    let most = 0;
    const chat = client(faulty, { rateLimit: 'off', maxConcurrency: 2, retry: false }, async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    });
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) => chat.delContactGroup({ From_Account: `u${index}`, GroupName: ['none'] }).then((result) => capture.result(result))),
    );
    expect(results.map((result) => (result.ok ? 0 : result.error.code))).toEqual([51009, 51009, 51009, 51009, 51009]);
    expect(most).toBe(2);
  });

  it('refuses a rate limit for an unknown operation or of zero, naming the option', () => {
    const base = { sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: DEVELOPMENT_SECRET_KEY, baseUrl: limited.url };
    expect(() => createChatGroupsClient({ ...base, rateLimit: { noSuchOperation: 5 } as never })).toThrow(
      expect.objectContaining({ option: 'rateLimit.noSuchOperation' }) as ClientOptionsError,
    );
    expect(() => createChatGroupsClient({ ...base, rateLimit: { delContactGroup: 0 } })).toThrow(ClientOptionsError);
    expect(() => createChatGroupsClient({ ...base, rateLimit: 1.5 })).toThrow(ClientOptionsError);
    expect(() => createChatGroupsClient({ ...base, maxConcurrency: 0 })).toThrow(ClientOptionsError);
  });

  it('leaks no secret key and no UserSig in anything these tests captured', () => {
    expect(capture.userSigs.size).toBeGreaterThan(0);
    expect(capture.texts.length).toBeGreaterThan(100);
    expect(capture.leaks([DEVELOPMENT_SECRET_KEY, ...capture.userSigs])).toEqual([]);
  });
});

