/**
 * The shared rate limit against a real redis-server and the rate-limited sandbox (the referee: it answers 60007 to
 * any call over the app's per-API limit, whichever client sent it). Several clients stand in for several processes:
 * each has its own connection, limiter and queue, and only Redis joins them. The limit is set low (10 a second) so
 * the tests are short; the sandbox enforces the same limit for the whole app.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createChatGroupsClient, type ChatGroupsClient, type ChatGroupsClientOptions } from '../../src/client/client.js';
import type { LimiterEvent } from '../../src/client/flow/shared/limiter-events.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';

const LIMIT = 10;
let redis: RedisServer;
let sandbox: RunningSandbox;
const clients: ChatGroupsClient[] = [];
/** When the sandbox received each API call (refused ones included): its clock is read once per call. */
let receipts: number[] = [];

/** The most calls the sandbox received in any window of `windowMs`. */
function mostInAnyWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

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
