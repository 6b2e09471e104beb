/**
 * One operation's rate limit in a fleet: the same promise as the in-process limiter (../rate-limiter.ts): a call counts
 * from the moment it is let through until a window after its answer, the waiting calls of this process leave in the
 * order they asked, and an abort while waiting ends the wait and counts for nothing. The calls are let through by the
 * fleet's window in Redis, or by a local limiter of this process's share while the fleet keeps to local shares (see
 * fleet.ts for the switches).
 *
 * One request to Redis at a time per operation serves the whole queue: it names every call waiting, and Redis lets
 * through, in order, as many as the window and the pace allow, and answers how long the rest must wait, so nothing
 * polls. A process is thus granted as fast as the pace allows, not one call per round trip (under load a round trip
 * takes longer than the pace's interval).
 */
import type { OperationId } from '../../../../generated/operations.js';
import { abortReason } from '../abort.js';
import { sleep, type Clock } from '../clock.js';
import { FifoQueue } from '../fifo-queue.js';
import { CATCH_UP_MS, SlidingWindowLimiter, type OperationLimiter, type RatePermit } from '../rate-limiter.js';
import type { LocalReason } from './limiter-events.js';
import { RedisClientMissingError, type CountingCall, type RedisWindow, type WindowParameters } from './redis-window.js';

interface Waiter {
  readonly resolve: (permit: RatePermit) => void;
  readonly signal: AbortSignal | undefined;
  settled: boolean;
}

/** A call of this process that still counts (or may): in flight, or answered less than a window ago. */
interface OwnCall {
  answeredAt: number | undefined;
  /** Its place in the local limiter, when one took over while it was in flight. */
  localPermit: RatePermit | undefined;
}

/**
 * What a limiter reads from and tells its fleet (the Fleet of fleet.ts): described here, so that the fleet, which
 * makes the limiters, and the limiters do not import each other.
 */
export interface LimiterFleet {
  readonly window: RedisWindow;
  readonly fleetSize: number;
  readonly leaseMs: number;
  readonly clock: Clock;
  readonly epoch: string | undefined;
  readonly generation: number;
  readonly mirroring: boolean;
  asksRedis(): boolean;
  /** Redis says the warm-up is over: ask it at once rather than at the next probe. */
  warmUpEnded(): void;
  newId(): string;
  toShared(): void;
  toLocal(reason: LocalReason, error?: unknown, forMs?: number): void;
  register(): Promise<void>;
}

export class SharedLimiter implements OperationLimiter {
  readonly operationId: OperationId;
  readonly limit: number;
  readonly windowMs: number;
  /** Calls per window this process may make alone: the quota divided by the fleet size. */
  readonly share: number;
  readonly #fleet: LimiterFleet;
  readonly #parameters: WindowParameters;
  readonly #queue = new FifoQueue<Waiter>();
  readonly #own = new Map<string, OwnCall>();
  /** Waiters in the queue that are not settled yet: how many ids the next request to Redis names. */
  #waiting = 0;
  #serving = false;
  #local: SlidingWindowLimiter | undefined;
  #localGeneration = -1;
  #warnedMissing = false;

  constructor(fleet: LimiterFleet, operationId: OperationId, limit: number, windowMs: number) {
    this.#fleet = fleet;
    this.operationId = operationId;
    this.limit = limit;
    this.windowMs = windowMs;
    this.share = Math.max(1, Math.floor(limit / fleet.fleetSize));
    const intervalMs = windowMs / limit;
    this.#parameters = { limit, windowMs, intervalMs, toleranceMs: CATCH_UP_MS, leaseMs: fleet.leaseMs };
  }

  get queued(): number {
    return this.#queue.size;
  }

  /** This process's calls that count now. */
  get counted(): number {
    this.#forget();
    return this.#own.size;
  }

  acquire(signal?: AbortSignal): Promise<RatePermit> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<RatePermit>((resolve, reject) => {
      const waiter: Waiter = { resolve, signal, settled: false };
      signal?.addEventListener(
        'abort',
        () => {
          if (waiter.settled) return;
          waiter.settled = true;
          this.#waiting -= 1;
          reject(abortReason(signal));
        },
        { once: true },
      );
      this.#queue.push(waiter);
      this.#waiting += 1;
      if (!this.#serving) void this.#serve();
    });
  }

  /** The calls to register with Redis: in flight, or with the time left until they stop counting. */
  countingCalls(): CountingCall[] {
    this.#forget();
    const now = this.#fleet.clock.now();
    return [...this.#own].map(([id, call]) => ({
      id,
      remainingMs: call.answeredAt === undefined ? 'in-flight' : call.answeredAt + this.windowMs - now,
    }));
  }

  #head(): Waiter | undefined {
    for (let waiter = this.#queue.peek(); waiter !== undefined; waiter = this.#queue.peek()) {
      if (!waiter.settled) return waiter;
      this.#queue.shift();
    }
    return undefined;
  }

  async #serve(): Promise<void> {
    this.#serving = true;
    try {
      for (let head = this.#head(); head !== undefined; head = this.#head()) {
        if (this.#fleet.asksRedis()) await this.#fromRedis();
        else await this.#fromLocal(head.signal);
      }
    } finally {
      this.#serving = false;
    }
  }

  /**
   * One request to Redis for every call waiting (up to the limit, more cannot go at once): hands out the permits it
   * grants in order, then waits as long as Redis says the rest must, or switches as the fleet's state requires.
   */
  async #fromRedis(): Promise<void> {
    const fleet = this.#fleet;
    const ids = Array.from({ length: Math.min(Math.max(this.#waiting, 1), this.limit) }, () => fleet.newId());
    try {
      const reply = await fleet.window.acquire(this.operationId, ids, fleet.epoch, this.#parameters);
      if (reply.kind === 'register') await fleet.register();
      else if (reply.kind === 'warming') fleet.toLocal('warming-up', undefined, reply.waitMs);
      else {
        if (reply.kind === 'granted') {
          fleet.toShared();
          for (const id of ids.slice(0, reply.granted)) this.#handOut(this.#permit(id, undefined));
        }
        if (reply.waitMs > 0) await sleep(reply.waitMs, fleet.clock);
      }
    } catch (error) {
      this.#warnIfMissing(error);
      fleet.toLocal('unreachable', error);
    }
  }

  /** One permit from the local share, for the head of the queue (whose abort ends the wait). */
  async #fromLocal(signal: AbortSignal | undefined): Promise<void> {
    const fleet = this.#fleet;
    let localPermit: RatePermit;
    try {
      localPermit = await this.#localLimiter().acquire(signal);
    } catch {
      // Only an abort of the head rejects: its own listener has settled it already.
      return;
    }
    const id = fleet.newId();
    const epoch = fleet.epoch;
    if (fleet.mirroring && epoch !== undefined) {
      let mirrored = true;
      try {
        mirrored = await fleet.window.mirror(this.operationId, id, epoch, fleet.leaseMs, this.windowMs);
      } catch (error) {
        fleet.toLocal('unreachable', error);
      }
      if (!mirrored) {
        // The warm-up ended while this call waited for its local permit, and the other processes may be filling the
        // window again: the window decides this call. The local permit goes unused (it counts here for a window,
        // which only makes a later local spell of this generation more careful).
        localPermit.release();
        fleet.warmUpEnded();
        return;
      }
    }
    this.#handOut(this.#permit(id, localPermit));
  }

  /** Gives a permit to the first waiter still waiting (some may have aborted meanwhile); with none left, returns it. */
  #handOut(permit: RatePermit): void {
    const taker = this.#head();
    if (taker === undefined) {
      permit.release();
      return;
    }
    this.#queue.shift();
    taker.settled = true;
    this.#waiting -= 1;
    taker.resolve(permit);
  }

  #permit(id: string, localPermit: RatePermit | undefined): RatePermit {
    const call: OwnCall = { answeredAt: undefined, localPermit };
    this.#own.set(id, call);
    return {
      release: () => {
        if (call.answeredAt !== undefined) return;
        call.answeredAt = this.#fleet.clock.now();
        call.localPermit?.release();
        // Counts a window from now in Redis too; if Redis cannot be told, the call's lease keeps it counting longer.
        this.#fleet.window.answer(this.operationId, id, this.windowMs).catch(() => {});
      },
    };
  }

  /**
   * The local limiter of the current local spell, created full (see fleet.ts): this process's calls in flight count
   * until a window after their answers, and the rest of the share from now.
   */
  #localLimiter(): SlidingWindowLimiter {
    if (this.#local !== undefined && this.#localGeneration === this.#fleet.generation) return this.#local;
    const local = new SlidingWindowLimiter(this.share, this.windowMs, this.#fleet.clock);
    this.#forget();
    let counted = 0;
    for (const call of this.#own.values()) {
      if (call.answeredAt !== undefined) continue;
      call.localPermit = local.reserve();
      counted += 1;
    }
    for (; counted < this.share; counted++) local.reserve().release();
    this.#local = local;
    this.#localGeneration = this.#fleet.generation;
    return local;
  }

  /** Drops the calls answered a window or more ago. */
  #forget(): void {
    const now = this.#fleet.clock.now();
    for (const [id, call] of this.#own) {
      if (call.answeredAt !== undefined && call.answeredAt + this.windowMs <= now) this.#own.delete(id);
    }
  }

  #warnIfMissing(error: unknown): void {
    if (!(error instanceof RedisClientMissingError) || this.#warnedMissing) return;
    this.#warnedMissing = true;
    globalThis.process?.emitWarning?.(error.message, { code: 'CHAT_GROUPS_REDIS_MISSING' });
  }
}
