/**
 * What the shared rate limit reports when a client changes where its limit comes from: the fleet's window in Redis,
 * or its own conservative share of the quota. Nothing here holds the Redis URL (it may carry a password).
 */
import { callHook } from '../../hooks.js';

/** Why the client keeps to its local share. */
export type LocalReason =
  /** Redis could not be reached, or a call to it failed or timed out. */
  | 'unreachable'
  /**
   * Redis answers again but does not yet know every call of the fleet that still counts (it restarted empty, or this
   * process counted calls alone): the fleet re-registers them first.
   */
  | 'warming-up';

export type LimiterEvent =
  | {
      readonly kind: 'local';
      readonly reason: LocalReason;
      /** For `unreachable`: the error's code or name (e.g. `DISCONNECTED`, `TIMEOUT`), never its text, which may name the URL. */
      readonly cause?: string;
      /** The local share: calls per window per operation (the quota divided by `fleetSize`). */
      readonly share: number;
      readonly fleetSize: number;
    }
  | { readonly kind: 'shared' };

export type LimiterHook = (event: LimiterEvent) => void;

/** Calls the hook without letting it break a call (see hooks.ts). */
export function emitLimiter(hook: LimiterHook | undefined, event: LimiterEvent): void {
  callHook('onLimiter', hook, event);
}

/** A short, safe name for an error of the Redis connection: its code or class, never its message. */
export function causeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  if (error instanceof Error) {
    // ioredis refuses commands at once while it is not connected (it reconnects in the background).
    if (/writeable|connection is closed/i.test(error.message)) return 'DISCONNECTED';
    if (/timed out/i.test(error.message)) return 'TIMEOUT';
    return error.name;
  }
  return typeof error;
}
