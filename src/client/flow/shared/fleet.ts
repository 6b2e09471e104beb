/**
 * Where a client's rate limit comes from when several processes share one app's quota: the fleet's window in Redis
 * (see redis-window.ts) while Redis answers, else a conservative local share of the quota, the documented limit
 * divided by `fleetSize`. One per client, for all its operations, as a Redis failure hits them all at once.
 *
 * The switches, and why none of them lets the fleet exceed the quota:
 *
 * - Shared → local (Redis fails): each operation's local limiter starts full. It counts this process's calls in
 *   flight until a window after their answers, and pads the rest of its share with calls counted from now, so the
 *   first local call goes no sooner than a window after the last shared one it could not see (another process's).
 *   The cost is a pause of at most one window.
 * - Local → shared (Redis answers again): an empty Redis (restarted, or new) forgets the calls that still count, and
 *   a process that counted alone has calls Redis never saw. Such a process registers them (in flight, or with the
 *   time left until they stop counting) and holds the whole app to local shares for a warm-up (a window plus the
 *   time every process takes to notice, see WARM_UP_MS). During it each process registers its own calls as it
 *   notices the new epoch and mirrors every local call into Redis before the call goes; after it, Redis knows every
 *   call that still counts and the fleet trusts the shared window again. Redis refuses a mirror once the warm-up is
 *   over: a process whose local permit came a moment late asks the window for that call instead, as the others
 *   may already fill it.
 */
import { operations, type OperationId } from '../../../../generated/operations.js';
import type { Clock } from '../clock.js';
import { causeOf, emitLimiter, type LimiterHook, type LocalReason } from './limiter-events.js';
import { RedisWindow } from './redis-window.js';
import { SharedLimiter, type LimiterFleet } from './shared-limiter.js';

/** How often a client that keeps to its local share tries Redis again. */
export const PROBE_MS = 500;
/** The longest ioredis waits between reconnection attempts (see redis-window.ts). */
const RECONNECT_MS = 500;
/** The longest window of any operation. */
const MAX_WINDOW_MS = Math.max(...Object.values(operations).map((operation) => operation.rateLimit.perSeconds * 1000));
/**
 * A process that is active notices a restart at its next call; one that keeps to its local share, within a probe
 * and a reconnection; one that is idle has no call left that counts a window after its last answer.
 */
export const WARM_UP_MS = MAX_WINDOW_MS + PROBE_MS + RECONNECT_MS;

export interface FleetOptions {
  readonly url: string;
  readonly sdkAppId: number;
  readonly fleetSize: number;
  /** How long a call that never gets answered (its process died) counts in the shared window. */
  readonly leaseMs: number;
  readonly clock: Clock;
  readonly onLimiter: LimiterHook | undefined;
}

export class Fleet implements LimiterFleet {
  readonly window: RedisWindow;
  readonly fleetSize: number;
  readonly leaseMs: number;
  readonly clock: Clock;
  readonly #hook: LimiterHook | undefined;
  readonly #limiters: SharedLimiter[] = [];
  /** Ids of this process's calls in Redis: unique across the fleet without coordination. */
  readonly #idPrefix = `${globalThis.crypto.randomUUID()}:`;
  #nextId = 0;
  #mode: 'shared' | 'local' = 'shared';
  #reason: LocalReason | undefined;
  /** Bumped at every switch from shared to local: each operation then starts a fresh, full local limiter. */
  #generation = 0;
  #probeAt = 0;
  /** The epoch under which this process's calls are registered; undefined when Redis may not know them. */
  #epoch: string | undefined;
  #registering: Promise<void> | undefined;

  constructor(options: FleetOptions) {
    this.window = new RedisWindow(options.url, options.sdkAppId);
    this.fleetSize = options.fleetSize;
    this.leaseMs = options.leaseMs;
    this.clock = options.clock;
    this.#hook = options.onLimiter;
  }

  limiter(operationId: OperationId, limit: number): SharedLimiter {
    const limiter = new SharedLimiter(this, operationId, limit, operations[operationId].rateLimit.perSeconds * 1000);
    this.#limiters.push(limiter);
    return limiter;
  }

  get epoch(): string | undefined {
    return this.#epoch;
  }

  get generation(): number {
    return this.#generation;
  }

  /** Whether the next call should ask Redis: always when shared, now and then when local. */
  asksRedis(): boolean {
    return this.#mode === 'shared' || this.clock.now() >= this.#probeAt;
  }

  warmUpEnded(): void {
    this.#probeAt = this.clock.now();
  }

  /** Whether local calls must be mirrored into Redis: it answers, but the fleet is warming up. */
  get mirroring(): boolean {
    return this.#mode === 'local' && this.#reason === 'warming-up' && this.#epoch !== undefined;
  }

  newId(): string {
    this.#nextId += 1;
    return `${this.#idPrefix}${this.#nextId}`;
  }

  toShared(): void {
    if (this.#mode === 'shared') return;
    this.#mode = 'shared';
    this.#reason = undefined;
    emitLimiter(this.#hook, { kind: 'shared' });
  }

  toLocal(reason: LocalReason, error?: unknown, forMs = PROBE_MS): void {
    this.#probeAt = this.clock.now() + forMs;
    // Redis may have lost what it knew of this process (or never learnt of the calls that follow).
    if (reason === 'unreachable') this.#epoch = undefined;
    if (this.#mode === 'local' && this.#reason === reason) return;
    if (this.#mode === 'shared') this.#generation += 1;
    this.#mode = 'local';
    this.#reason = reason;
    const share = this.#limiters[0]?.share ?? 1;
    emitLimiter(this.#hook, {
      kind: 'local',
      reason,
      ...(error === undefined ? {} : { cause: causeOf(error) }),
      share,
      fleetSize: this.fleetSize,
    });
  }

  /**
   * Registers every call of this process that still counts under Redis's current epoch; one registration at a time.
   * With calls to register, or after an earlier epoch, the whole app warms up first (see above).
   */
  register(): Promise<void> {
    this.#registering ??= this.#register().finally(() => (this.#registering = undefined));
    return this.#registering;
  }

  async #register(): Promise<void> {
    const calls = this.#limiters.map((limiter) => [limiter, limiter.countingCalls()] as const);
    const unknownToRedis = this.#mode === 'local' || calls.some(([, counting]) => counting.length > 0);
    const warmUpMs = unknownToRedis ? WARM_UP_MS : 0;
    let epoch: string | undefined;
    try {
      for (const [limiter, counting] of calls) {
        epoch = await this.window.register(limiter.operationId, counting, this.leaseMs, limiter.windowMs, warmUpMs);
      }
    } catch (error) {
      this.toLocal('unreachable', error);
      return;
    }
    this.#epoch = epoch;
  }

  close(): Promise<void> {
    return this.window.close();
  }
}
