/**
 * The shared rate limit against a real redis-server and the rate-limited sandbox (the referee: it answers 60007 to
 * any call over the app's per-API limit, whichever client sent it). Several clients stand in for several processes:
 * each has its own connection, limiter and queue, and only Redis joins them. The limit is set low (10 a second) so
 * the tests are short; the sandbox enforces the same limit for the whole app.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/client/flow/clock.js';
import { CATCH_UP_MS } from '../../src/client/flow/rate-limiter.js';
import { Fleet } from '../../src/client/flow/shared/fleet.js';
import { RedisWindow, type WindowParameters } from '../../src/client/flow/shared/redis-window.js';
import { createChatGroupsClient, type ChatGroupsClient, type ChatGroupsClientOptions } from '../../src/client/client.js';
import type { LimiterEvent } from '../../src/client/flow/shared/limiter-events.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { mostInAnyWindow } from '../../scripts/bench/bench-support.js';

const LIMIT = 10;
let redis: RedisServer;
let sandbox: RunningSandbox;
const clients: ChatGroupsClient[] = [];
/** When the sandbox received each API call (refused ones included): its clock is read once per call. */
let receipts: number[] = [];


beforeAll(async () => {
  redis = await startRedisServer();
});
// A sandbox per test: calls of one test must not fill the window of the next one behind Redis's back.
beforeEach(async () => {
  sandbox = await startSandbox({
    rateLimit: LIMIT,
    clock: () => {
      const now = Date.now();
      receipts.push(now);
      return now;
    },
  });
  // The sandbox read its clock once to start.
  receipts = [];
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await sandbox.close();
});
afterAll(async () => {
  await redis?.stop();
});

function client(options: Partial<ChatGroupsClientOptions> = {}): ChatGroupsClient {
  const made = createChatGroupsClient({
    sdkAppId: 1400000000,
    identifier: 'administrator',
    secretKey: DEVELOPMENT_SECRET_KEY,
    baseUrl: sandbox.url,
    rateLimit: LIMIT,
    redis: redis.url,
    retry: false,
    ...options,
  } as ChatGroupsClientOptions);
  clients.push(made);
  return made;
}

interface Tally {
  ok: number;
  rateLimited: number;
  /** The codes or reasons of other failures, for the message when there are any. */
  other: string[];
}

/** Calls get_contact_group in a loop, `concurrency` at once, until `until`. */
async function hammer(target: ChatGroupsClient, until: number, concurrency: number, tally: Tally): Promise<void> {
  const worker = async (): Promise<void> => {
    while (performance.now() < until) {
      const result = await target.getContactGroup({ From_Account: 'administrator', StartIndex: 0 });
      if (result.ok) {
        tally.ok += 1;
      } else if (result.error.code === 60007) tally.rateLimited += 1;
      else tally.other.push(result.error.kind === 'network' ? result.error.reason : String(result.error.code));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

function newTally(): Tally {
  return { ok: 0, rateLimited: 0, other: [] };
}

interface SlowLink {
  readonly url: string;
  /** Requests to run the acquire script (or the register script) sent so far: each names the app's warm-up key. */
  acquires(): number;
  close(): Promise<void>;
}

/** A TCP relay to Redis that delays every chunk by `delayMs` each way, as a distant or busy Redis would. */
async function slowLinkTo(port: number, delayMs: number): Promise<SlowLink> {
  const sockets = new Set<Socket>();
  let sent = '';
  const relay = (from: Socket, to: Socket, record: boolean): void => {
    from.on('data', (chunk) => {
      if (record) sent += chunk.toString('latin1');
      // Equal delays fire in the order they were set, so the stream stays in order.
      setTimeout(() => to.write(chunk), delayMs);
    });
    from.on('close', () => setTimeout(() => to.destroy(), delayMs));
    from.on('error', () => {});
  };
  const server: Server = createServer((downstream) => {
    const upstream = connect(port, '127.0.0.1');
    for (const socket of [downstream, upstream]) sockets.add(socket);
    relay(downstream, upstream, true);
    relay(upstream, downstream, false);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `redis://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    acquires: () => sent.split(':warm\r\n').length - 1,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('a rate limit shared through Redis', () => {
  it('keeps three clients of one app together under the per-API limit the sandbox enforces', { timeout: 30_000 }, async () => {
    const tally = newTally();
    const until = performance.now() + 3000;
    await Promise.all([0, 1, 2].map(() => hammer(client(), until, 4, tally)));
    expect(tally.rateLimited).toBe(0);
    expect(tally.other).toEqual([]);
    // Three seconds at 10 a second, whatever the number of clients (less the first window's round trips).
    expect(tally.ok).toBeGreaterThanOrEqual(25);
    expect(mostInAnyWindow(receipts)).toBeLessThanOrEqual(LIMIT);
  });

  it('lets clients that limit themselves alone overrun the same sandbox (what the shared window prevents)', { timeout: 30_000 }, async () => {
    const tally = newTally();
    const until = performance.now() + 1500;
    const alone = (): ChatGroupsClient => {
      const made = createChatGroupsClient({
        sdkAppId: 1400000000,
        identifier: 'administrator',
        secretKey: DEVELOPMENT_SECRET_KEY,
        baseUrl: sandbox.url,
        rateLimit: LIMIT,
        retry: false,
      });
      clients.push(made);
      return made;
    };
    await Promise.all([0, 1, 2].map(() => hammer(alone(), until, 4, tally)));
    expect(tally.rateLimited).toBeGreaterThan(0);
  });

  it('falls back to the quota divided by fleetSize when Redis is down, and reports the switch', { timeout: 30_000 }, async () => {
    const events: LimiterEvent[] = [];
    const down = client({ redis: 'redis://127.0.0.1:1', fleetSize: 5, onLimiter: (event) => events.push(event) });
    const tally = newTally();
    const started = performance.now();
    await hammer(down, started + 2500, 4, tally);
    expect(tally.rateLimited).toBe(0);
    expect(events[0]).toMatchObject({ kind: 'local', reason: 'unreachable', cause: 'DISCONNECTED', share: 2, fleetSize: 5 });
    // The local share starts full (a window), then 2 a second.
    expect(tally.ok).toBeGreaterThanOrEqual(2);
    expect(mostInAnyWindow(receipts)).toBe(2);
  });

  it('never repeats the Redis URL, which may hold a password, in a refused option', () => {
    expect(() => client({ redis: 'http://user:s3cret@127.0.0.1' })).toThrow(/option redis: must be a redis:\/\/ or rediss:\/\/ URL/);
    try {
      client({ redis: 'http://user:s3cret@127.0.0.1' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('s3cret');
    }
    expect(() => createChatGroupsClient({ sdkAppId: 1, identifier: 'a', secretKey: 'k', baseUrl: sandbox.url, fleetSize: 2 } as ChatGroupsClientOptions)).toThrow(
      /option fleetSize: goes with redis only/,
    );
  });

  it('lets several waiting calls through per round trip, so a slow link to Redis does not hold a client below the pace', { timeout: 30_000 }, async () => {
    // 50 a second is a call every 20 ms; a round trip of 60 ms (within the 100 ms the pace may catch up at once) would
    // allow one call in three if each round trip let one through.
    const limit = 50;
    const received: number[] = [];
    const fast = await startSandbox({
      rateLimit: limit,
      clock: () => {
        const now = Date.now();
        received.push(now);
        return now;
      },
    });
    received.length = 0;
    const link = await slowLinkTo(redis.port, 30);
    try {
      const tally = newTally();
      await hammer(client({ baseUrl: fast.url, rateLimit: limit, redis: link.url }), performance.now() + 3000, 12, tally);
      expect(tally.rateLimited).toBe(0);
      expect(tally.other).toEqual([]);
      expect(tally.ok).toBeGreaterThan(link.acquires());
      expect(mostInAnyWindow(received)).toBeLessThanOrEqual(limit);
    } finally {
      await Promise.all([link.close(), fast.close()]);
    }
  });

  it('survives Redis killed mid-run and restarted empty: no call over the limit, and back to the shared window', { timeout: 40_000 }, async () => {
    const events: LimiterEvent[][] = [[], [], []];
    const fleet = [0, 1, 2].map((index) => client({ fleetSize: 3, onLimiter: (event) => events[index]?.push(event) }));
    const tally = newTally();
    const until = performance.now() + 7000;
    const running = Promise.all(fleet.map((member) => hammer(member, until, 3, tally)));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await redis.restart();
    await running;
    expect(tally.rateLimited).toBe(0);
    expect(tally.other).toEqual([]);
    for (const seen of events) {
      expect(seen.map((event) => event.kind)).toContain('local');
      expect(seen.at(-1)).toEqual({ kind: 'shared' });
    }
    expect(mostInAnyWindow(receipts)).toBeLessThanOrEqual(LIMIT);
  });
});

describe('the shared window in Redis', () => {
  const windows: RedisWindow[] = [];
  afterEach(async () => {
    await Promise.all(windows.splice(0).map((window) => window.close()));
  });

  /** A window of a fresh app, and the epoch it was given (the first request of a process is told to register). */
  async function freshWindow(sdkAppId: number, parameters: WindowParameters): Promise<{ window: RedisWindow; epoch: string }> {
    const window = new RedisWindow(redis.url, sdkAppId);
    windows.push(window);
    const first = await window.acquire('getContactGroup', ['first'], undefined, parameters);
    expect(first.kind).toBe('register');
    return { window, epoch: first.epoch };
  }

  it('grants in one request, in their order, as many waiting calls as the pace lets go at once, and says when the rest may ask', async () => {
    const parameters = { limit: 200, windowMs: 1000, intervalMs: 5, toleranceMs: CATCH_UP_MS, leaseMs: 30_000 };
    const { window, epoch } = await freshWindow(1400000101, parameters);
    const ids = Array.from({ length: 30 }, (_, index) => `call-${index}`);
    const reply = await window.acquire('getContactGroup', ids, epoch, parameters);
    // The one due now and the catch-up span's worth (100 ms at 5 ms a call), as the in-process limiter lets go.
    const atOnce = Math.floor(CATCH_UP_MS / parameters.intervalMs) + 1;
    expect(reply).toEqual({ kind: 'granted', epoch, granted: atOnce, waitMs: parameters.intervalMs });
    const inspector = new Redis(redis.url);
    try {
      const counted = await inspector.zrange('{chat-groups:1400000101}:getContactGroup:calls', 0, -1);
      expect(counted.sort()).toEqual(ids.slice(0, atOnce).sort());
    } finally {
      inspector.disconnect();
    }
  });

  it('hands the permits Redis grants to the waiting calls in the order they asked, skipping one that aborted', async () => {
    const fleet = new Fleet({ url: redis.url, sdkAppId: 1400000103, fleetSize: 4, leaseMs: 30_000, clock: systemClock, onLimiter: undefined });
    try {
      const limiter = fleet.limiter('getContactGroup', LIMIT);
      const order: number[] = [];
      const aborting = new AbortController();
      const calls = [0, 1, 2, 3, 4].map((index) =>
        limiter.acquire(index === 1 ? aborting.signal : undefined).then((permit) => {
          order.push(index);
          permit.release();
        }),
      );
      aborting.abort(new Error('no longer needed'));
      const settled = await Promise.allSettled(calls);
      expect(order).toEqual([0, 2, 3, 4]);
      expect(settled[1]).toMatchObject({ status: 'rejected', reason: new Error('no longer needed') });
      expect(limiter.queued).toBe(0);
    } finally {
      await fleet.close();
    }
  });

  it('takes a local call of the warm-up only while the warm-up lasts and under the epoch the process knows', async () => {
    const parameters = { limit: 3, windowMs: 1000, intervalMs: 1, toleranceMs: CATCH_UP_MS, leaseMs: 30_000 };
    const { window, epoch } = await freshWindow(1400000104, parameters);
    await window.register('getContactGroup', [], parameters.leaseMs, parameters.windowMs, 300);
    expect(await window.mirror('getContactGroup', 'during', epoch, parameters.leaseMs, parameters.windowMs)).toBe(true);
    expect(await window.mirror('getContactGroup', 'other-epoch', 'an older epoch', parameters.leaseMs, parameters.windowMs)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await window.mirror('getContactGroup', 'after', epoch, parameters.leaseMs, parameters.windowMs)).toBe(false);
    const inspector = new Redis(redis.url);
    try {
      const counted = await inspector.zrange('{chat-groups:1400000104}:getContactGroup:calls', 0, -1);
      expect(counted).toEqual(['during']);
    } finally {
      inspector.disconnect();
    }
  });

  it('asks the window for a local call whose permit comes after the warm-up ended, rather than adding it to a full window', { timeout: 10_000 }, async () => {
    const sdkAppId = 1400000105;
    const leaseMs = 30_000;
    // Another process came back with calls: the app warms up for 300 ms.
    const other = new RedisWindow(redis.url, sdkAppId);
    windows.push(other);
    await other.register('getContactGroup', [], leaseMs, 1000, 300);
    const late = new Fleet({ url: redis.url, sdkAppId, fleetSize: 2, leaseMs, clock: systemClock, onLimiter: undefined });
    const stopWaiting = new AbortController();
    try {
      // Told to keep to its local share, which starts full: its first local permit comes a window later, after the
      // warm-up has ended.
      let handedOut = false;
      const call = late
        .limiter('getContactGroup', 4)
        .acquire(stopWaiting.signal)
        .then((permit) => {
          handedOut = true;
          permit.release();
        });
      call.catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Warm-up over: the other processes fill the window (calls in flight, counting for their lease).
      await other.register('getContactGroup', ['x1', 'x2', 'x3', 'x4'].map((id) => ({ id, remainingMs: 'in-flight' as const })), leaseMs, 1000, 0);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(handedOut, 'a call went from the local share into a full window').toBe(false);
      const inspector = new Redis(redis.url);
      try {
        expect(await inspector.zcard(`{chat-groups:${sdkAppId}}:getContactGroup:calls`)).toBe(4);
      } finally {
        inspector.disconnect();
      }
    } finally {
      stopWaiting.abort(new Error('test over'));
      await late.close();
    }
  });

  it('grants no more than the window has room for, and then tells every request to wait until a call stops counting', async () => {
    const parameters = { limit: 3, windowMs: 1000, intervalMs: 1, toleranceMs: CATCH_UP_MS, leaseMs: 30_000 };
    const { window, epoch } = await freshWindow(1400000102, parameters);
    expect(await window.acquire('getContactGroup', ['a', 'b', 'c', 'd', 'e'], epoch, parameters)).toEqual({ kind: 'granted', epoch, granted: 3, waitMs: 1000 });
    // Unanswered calls count for their lease, but the next request is told to look again no later than a window on.
    expect(await window.acquire('getContactGroup', ['d', 'e'], epoch, parameters)).toEqual({ kind: 'wait', epoch, waitMs: 1000 });
    await window.answer('getContactGroup', 'a', 1000);
    const reply = await window.acquire('getContactGroup', ['d', 'e'], epoch, parameters);
    expect(reply.kind).toBe('wait');
  });
});
