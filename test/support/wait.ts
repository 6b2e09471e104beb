/** Waiting for something another process does (a results file growing, a proxy holding calls), through `vi.waitFor`. */
import { vi } from 'vitest';

/** Resolves once `condition()` holds; fails after `timeoutMs`, naming `what` it waited for. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what = 'the condition'): Promise<void> {
  await vi.waitFor(
    () => {
      if (!condition()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: 5 },
  );
}
