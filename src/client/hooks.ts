/**
 * Calls a caller's hook (`onAttempt`, `onLimiter`) without letting it break the call: a failing logger must not turn a
 * successful request into a failure, or make the client retry. Its error is reported as a process warning instead of
 * being lost; only its name is given, as its text may quote what the hook was handed.
 */
export function callHook<Event>(hookName: string, hook: ((event: Event) => void) | undefined, event: Event): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch (error) {
    const name = error instanceof Error ? error.name : typeof error;
    globalThis.process?.emitWarning?.(`the ${hookName} hook threw (${name}); the call went on`, { code: 'CHAT_GROUPS_HOOK_ERROR' });
  }
}
