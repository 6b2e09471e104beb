/**
 * Keeps a child server of `npm start` (Prism as mock or proxy) running: when it exits without being asked to, says
 * so and starts it again on the same port, so the printed URL keeps working. Restarts are rate-bounded: more than
 * `maxRestarts` within `windowMs` means the child cannot stay up, and the supervisor gives up (the caller then stops
 * everything with a non-zero exit) instead of restarting in a loop.
 */

export interface ChildExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ChildServer {
  readonly url: string;
  readonly exited: Promise<ChildExit>;
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  /** How the child is named in messages, e.g. `contract mock`. */
  readonly name: string;
  /** Starts the child; `port` is 0 the first time, then the port of the first start. */
  start(port: number): Promise<ChildServer>;
  /** Restarts allowed within `windowMs`. Default 5. */
  readonly maxRestarts?: number;
  /** Default 60 000 ms. */
  readonly windowMs?: number;
  /** Where messages go. Default console.error. */
  readonly log?: (line: string) => void;
  /** Called once when the child cannot be kept running (too many restarts, or a restart failed). */
  readonly onGiveUp: (reason: string) => void;
  /** Milliseconds, for the restart window; injectable for tests. */
  readonly clock?: () => number;
}

export interface Supervised {
  readonly url: string;
  /** Restarts so far. */
  readonly restarts: number;
  /** Resolves after the next (re)start of the child, or rejects when the supervisor gives up. */
  nextStart(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_MAX_RESTARTS = 5;
export const DEFAULT_RESTART_WINDOW_MS = 60_000;

export async function supervise(options: SupervisorOptions, port = 0): Promise<Supervised> {
  const log = options.log ?? ((line: string) => console.error(line));
  const clock = options.clock ?? Date.now;
  const maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
  const windowMs = options.windowMs ?? DEFAULT_RESTART_WINDOW_MS;
  const restartTimes: number[] = [];
  let child = await options.start(port);
  const url = child.url;
  const fixedPort = Number(new URL(url).port);
  let stopping = false;
  let restarts = 0;
  const waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const settle = (error?: Error): void => {
    for (const waiter of waiters.splice(0)) error === undefined ? waiter.resolve() : waiter.reject(error);
  };

  let gaveUp: Error | undefined;
  const giveUp = (reason: string): void => {
    stopping = true;
    gaveUp = new Error(`${options.name} ${reason}`);
    log(`[${options.name}] ${reason}; giving up`);
    settle(gaveUp);
    options.onGiveUp(reason);
  };

  const watch = (current: ChildServer): void => {
    void current.exited.then(async (exit) => {
      if (stopping || current !== child) return;
      const how = exit.signal === null ? `with code ${String(exit.code)}` : `on ${exit.signal}`;
      const now = clock();
      while (restartTimes.length > 0 && (restartTimes[0] as number) <= now - windowMs) restartTimes.shift();
      if (restartTimes.length >= maxRestarts) {
        return giveUp(`exited ${how}, after ${restartTimes.length} restarts within ${windowMs / 1000} s`);
      }
      restartTimes.push(now);
      log(`[${options.name}] exited ${how}; restarting it on ${url}`);
      try {
        child = await options.start(fixedPort);
      } catch (error) {
        return giveUp(`exited ${how} and could not be restarted: ${(error as Error).message.split('\n')[0] ?? ''}`);
      }
      restarts++;
      if (stopping) {
        await child.stop();
        return;
      }
      log(`[${options.name}] restarted on ${url}`);
      watch(child);
      settle();
    });
  };
  watch(child);

  return {
    url,
    get restarts() {
      return restarts;
    },
    nextStart: () => new Promise<void>((resolve, reject) => (gaveUp === undefined ? waiters.push({ resolve, reject }) : reject(gaveUp))),
    async stop() {
      stopping = true;
      await child.stop();
    },
  };
}
