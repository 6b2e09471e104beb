/**
 * The shared rate window in Redis: one sorted set per app and operation, holding every call of the fleet that still
 * counts, scored by the moment it stops counting (its lease while in flight, a window after its answer once
 * answered), plus the shared pace (GCRA's theoretical send time) and, per app, an epoch and a warm-up mark.
 *
 * Each step is one Lua script, so a check and its grant are atomic across the fleet, and every time comes from the
 * Redis server's own clock (TIME), so the processes need no synchronised clocks. ioredis (an optional peer
 * dependency) is loaded with a dynamic import only when a client names a Redis URL; it sends the scripts with
 * EVALSHA and falls back to EVAL when a restarted server no longer knows them.
 *
 * The epoch is the server time at which the app's keys were first written: a Redis that restarted empty gets a new
 * one, which is how every process learns that the calls it had registered were forgotten (see fleet.ts).
 */
import type { OperationId } from '../../../../generated/operations.js';

/** How a Redis call can end, seen from the limiter. */
export type AcquireReply =
  /** The first `granted` of the ids asked for were let through; the rest may ask again after `waitMs` (0: none left). */
  | { readonly kind: 'granted'; readonly epoch: string; readonly granted: number; readonly waitMs: number }
  /** None was let through: ask again after `waitMs`, when the window has room or the pace allows the next. */
  | { readonly kind: 'wait'; readonly epoch: string; readonly waitMs: number }
  /** This process has not registered its calls under the current epoch. */
  | { readonly kind: 'register'; readonly epoch: string }
  /** The fleet is re-registering after a restart or an outage: keep to the local share for `waitMs`. */
  | { readonly kind: 'warming'; readonly epoch: string; readonly waitMs: number };

export interface WindowParameters {
  readonly limit: number;
  readonly windowMs: number;
  /** The shared pace: one call per interval, up to `toleranceMs` of it caught up at once. */
  readonly intervalMs: number;
  readonly toleranceMs: number;
  /** How long an unanswered call counts (a process that died with calls in flight never answers them). */
  readonly leaseMs: number;
}

/** A call of this process that still counts, to register after a restart: in flight, or stops counting in `remainingMs`. */
export interface CountingCall {
  readonly id: string;
  readonly remainingMs: number | 'in-flight';
}

/** The prelude every script shares: the server's time in ms, and the app's epoch, created when missing. */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local epoch = redis.call('GET', KEYS[3])
if not epoch then
  epoch = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', KEYS[3], epoch)
end
`;

/**
 * KEYS: calls, pace, epoch, warm. ARGV: limit, windowMs, intervalMs, toleranceMs, leaseMs, knownEpoch, then the ids of
 * the calls waiting, in their order. Grants them in that order, as many as the window and the pace allow at this
 * moment, so one round trip serves every call that may go now; returns how many it granted and how long the rest
 * must wait.
 */
const ACQUIRE = `${PRELUDE}
if epoch ~= ARGV[6] then return {'register', epoch, 0, 0} end
local warm = tonumber(redis.call('GET', KEYS[4]) or '0')
if now < warm then return {'warming', epoch, 0, math.ceil(warm - now)} end
local limit, window, interval, tolerance, lease = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local pace = tonumber(redis.call('GET', KEYS[2]) or '0')
local counted = redis.call('ZCARD', KEYS[1])
local granted, waitMs = 0, 0
for i = 7, #ARGV do
  -- The pace as in the in-process limiter (GCRA): up to the tolerance caught up at once, then one call per interval.
  if pace - tolerance > now then
    waitMs = math.ceil(pace - tolerance - now)
    break
  end
  if counted >= limit then
    -- An unanswered call stops counting no sooner than a window from now, whatever its lease.
    local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
    waitMs = math.max(1, math.ceil(math.min(tonumber(first[2]), now + window) - now))
    break
  end
  redis.call('ZADD', KEYS[1], now + lease, ARGV[i])
  counted = counted + 1
  granted = granted + 1
  pace = math.max(pace, now) + interval
end
if granted == 0 then return {'wait', epoch, 0, waitMs} end
redis.call('PEXPIRE', KEYS[1], math.ceil(lease + window))
redis.call('SET', KEYS[2], tostring(pace), 'PX', math.ceil(pace - now + window))
return {'granted', epoch, granted, waitMs}
`;

/** KEYS: calls, pace, epoch. ARGV: id, windowMs. The call was answered: it counts for one more window. */
const ANSWER = `${PRELUDE}
local window = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + window, ARGV[1])
if redis.call('PTTL', KEYS[1]) < window then redis.call('PEXPIRE', KEYS[1], math.ceil(window)) end
return epoch
`;

/**
 * KEYS: calls, pace, epoch, warm. ARGV: leaseMs, windowMs, warmUpMs (0: no warm-up), then id and remaining ms (-1
 * for in flight) pairs. Registers calls this process counted while Redis did not know of them.
 */
const REGISTER = `${PRELUDE}
local lease, window, warmUp = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for i = 4, #ARGV, 2 do
  local remaining = tonumber(ARGV[i + 1])
  redis.call('ZADD', KEYS[1], now + (remaining < 0 and lease or remaining), ARGV[i])
end
if #ARGV >= 4 then redis.call('PEXPIRE', KEYS[1], math.ceil(lease + window)) end
if warmUp > 0 then
  local warm = math.max(tonumber(redis.call('GET', KEYS[4]) or '0'), now + warmUp)
  redis.call('SET', KEYS[4], tostring(warm), 'PX', math.ceil(warm - now))
end
return epoch
`;

/**
 * KEYS: calls, pace, epoch, warm. ARGV: knownEpoch, leaseMs, windowMs, id. Registers a call a process lets through
 * from its local share during a warm-up, before it goes, and only while the warm-up lasts (and under the epoch the
 * process knows): once it is over, processes are granted from the window again, and a call added without asking
 * could overfill it. Returns 1 when registered, 0 when the call must ask the window instead.
 */
const MIRROR = `${PRELUDE}
if epoch ~= ARGV[1] then return 0 end
local warm = tonumber(redis.call('GET', KEYS[4]) or '0')
if now >= warm then return 0 end
local lease, window = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZADD', KEYS[1], now + lease, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(lease + window))
return 1
`;

/** What the Redis client must offer; ioredis's own type stays out of the published declarations. */
interface ScriptClient {
  readonly status: string;
  connect(): Promise<void>;
  disconnect(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
  chatGroupsAcquire(...args: (string | number)[]): Promise<[string, string, number, number]>;
  chatGroupsAnswer(...args: (string | number)[]): Promise<string>;
  chatGroupsRegister(...args: (string | number)[]): Promise<string>;
  chatGroupsMirror(...args: (string | number)[]): Promise<number>;
}

/** Settings of the connection: fail fast rather than queue, so a call never waits on a Redis that is down. */
const CONNECTION = {
  lazyConnect: true,
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  connectTimeout: 1000,
  commandTimeout: 1000,
  // Reconnects in the background, at least every half second, so the fleet returns to the shared window soon after Redis.
  retryStrategy: (times: number): number => Math.min(times * 50, 500),
} as const;

/** Thrown when the optional peer dependency is missing: a setting problem, named by what to install. */
export class RedisClientMissingError extends Error {
  override readonly name = 'RedisClientMissingError';
}

export class RedisWindow {
  readonly #prefix: string;
  readonly #connection: Promise<ScriptClient>;
  #closed = false;

  /** Starts connecting; nothing waits on it until the first call. `url` is never repeated in any message. */
  constructor(url: string, sdkAppId: number) {
    // One hash tag per app: all its keys live in one slot of a Redis Cluster, so each script may touch them together.
    this.#prefix = `{chat-groups:${sdkAppId}}`;
    this.#connection = this.#connect(url);
    // A failed connection is reported by the first call that needs it, never as an unhandled rejection.
    this.#connection.catch(() => {});
  }

  async #connect(url: string): Promise<ScriptClient> {
    let module: { Redis: new (url: string, options: object) => unknown };
    try {
      module = (await import('ioredis')) as unknown as typeof module;
    } catch {
      throw new RedisClientMissingError('the redis option needs the ioredis package (npm install ioredis): it is an optional peer dependency');
    }
    const client = new module.Redis(url, CONNECTION) as unknown as ScriptClient & {
      defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void;
    };
    // Connection errors surface through the calls; the event would otherwise be an unhandled 'error'.
    client.on('error', () => {});
    client.defineCommand('chatGroupsAcquire', { numberOfKeys: 4, lua: ACQUIRE });
    client.defineCommand('chatGroupsAnswer', { numberOfKeys: 3, lua: ANSWER });
    client.defineCommand('chatGroupsRegister', { numberOfKeys: 4, lua: REGISTER });
    client.defineCommand('chatGroupsMirror', { numberOfKeys: 4, lua: MIRROR });
    if (this.#closed) return client;
    // A first connection that fails is retried in the background by ioredis, like a lost one.
    await client.connect().catch(() => {});
    return client;
  }

  async #client(): Promise<ScriptClient> {
    const client = await this.#connection;
    if (this.#closed) throw new Error('the client was closed');
    return client;
  }

  #keys(operationId: OperationId): string[] {
    return [`${this.#prefix}:${operationId}:calls`, `${this.#prefix}:${operationId}:pace`, `${this.#prefix}:epoch`, `${this.#prefix}:warm`];
  }

  /** Asks for the calls `ids` (in their order) to be let through; at least one id. */
  async acquire(operationId: OperationId, ids: readonly string[], knownEpoch: string | undefined, window: WindowParameters): Promise<AcquireReply> {
    const client = await this.#client();
    const [kind, epoch, granted, waitMs] = await client.chatGroupsAcquire(
      ...this.#keys(operationId),
      window.limit,
      window.windowMs,
      window.intervalMs,
      window.toleranceMs,
      window.leaseMs,
      knownEpoch ?? '',
      ...ids,
    );
    if (kind === 'granted') return { kind, epoch, granted: Number(granted), waitMs: Number(waitMs) };
    if (kind === 'register') return { kind, epoch };
    if (kind === 'wait' || kind === 'warming') return { kind, epoch, waitMs: Number(waitMs) };
    throw new Error(`unexpected answer from the rate limit script: ${String(kind)}`);
  }

  async answer(operationId: OperationId, id: string, windowMs: number): Promise<string> {
    const client = await this.#client();
    return client.chatGroupsAnswer(...this.#keys(operationId).slice(0, 3), id, windowMs);
  }

  /** Registers calls Redis does not know of; a positive `warmUpMs` holds the whole app to local shares that long. */
  async register(operationId: OperationId, calls: readonly CountingCall[], leaseMs: number, windowMs: number, warmUpMs: number): Promise<string> {
    const client = await this.#client();
    const pairs = calls.flatMap((call) => [call.id, call.remainingMs === 'in-flight' ? -1 : Math.max(0, Math.ceil(call.remainingMs))]);
    return client.chatGroupsRegister(...this.#keys(operationId), leaseMs, windowMs, Math.ceil(warmUpMs), ...pairs);
  }

  /**
   * Registers a local call of the warm-up before it goes (see MIRROR): true when Redis took it, false when the warm-up
   * is over (or the epoch changed) and the call must be granted by the window instead.
   */
  async mirror(operationId: OperationId, id: string, knownEpoch: string, leaseMs: number, windowMs: number): Promise<boolean> {
    const client = await this.#client();
    return (await client.chatGroupsMirror(...this.#keys(operationId), knownEpoch, leaseMs, windowMs, id)) === 1;
  }

  /** Closes the connection and stops reconnecting. */
  async close(): Promise<void> {
    this.#closed = true;
    try {
      (await this.#connection).disconnect();
    } catch {
      // Never connected (ioredis missing): nothing to close.
    }
  }
}
