/** Small helpers for AbortSignals: the reason an abort carries, and one signal that follows two. */

/** The reason a signal carries, or a generic AbortError when it was aborted without one. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Whether an abort reason is a timeout (e.g. from `AbortSignal.timeout`), as opposed to a plain abort. */
export function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

export interface LinkedSignal {
  /** Aborts, with the same reason, as soon as either of the two does. */
  readonly signal: AbortSignal;
  /** Stops following them; call it when the work is over so neither keeps a listener. */
  unlink(): void;
}

/** A signal that follows both `a` and `b`, with listeners that can be removed (AbortSignal.any's cannot). */
export function linkSignals(a: AbortSignal, b: AbortSignal): LinkedSignal {
  const controller = new AbortController();
  const onA = (): void => controller.abort(abortReason(a));
  const onB = (): void => controller.abort(abortReason(b));
  const unlink = (): void => {
    a.removeEventListener('abort', onA);
    b.removeEventListener('abort', onB);
  };
  if (a.aborted) onA();
  else if (b.aborted) onB();
  else {
    a.addEventListener('abort', onA, { once: true });
    b.addEventListener('abort', onB, { once: true });
  }
  return { signal: controller.signal, unlink };
}

/**
 * Settles like `work`, or rejects with the signal's reason as soon as it aborts: work that ignores the signal (a
 * custom fetch, a UserSig provider) must not keep its caller past a timeout or an abort. The work is left to finish
 * on its own.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener('abort', onAbort as () => void));
}
