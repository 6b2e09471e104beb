import { beforeAll } from 'vitest';

/**
 * A `beforeAll` whose failure fails every test of the file, each with the setup's error. Vitest reports the tests
 * of a file whose `beforeAll` threw as skipped, and a summary that says "skipped" hides a missing browser or an
 * unreachable registry; these checks must never pass or vanish silently.
 */
export function setUpOrFail<T>(setup: () => Promise<T>, timeoutMs: number): () => T {
  let state: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  beforeAll(async () => {
    try {
      state = { ok: true, value: await setup() };
    } catch (error) {
      state = { ok: false, error };
    }
  }, timeoutMs);
  return () => {
    if (state === undefined) throw new Error('the setup did not run');
    if (!state.ok) throw state.error;
    return state.value;
  };
}
