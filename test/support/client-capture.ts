/**
 * Collects everything a test file's clients let out (attempt events, results, errors in every rendering, console
 * and process output, warnings) and every UserSig those clients sent, so the file can end by proving that none of
 * it contains the secret key or a UserSig.
 */
import { inspect } from 'node:util';
import { vi } from 'vitest';
import type { CallResult } from '../../src/client/call-types.js';
import type { AttemptEvent } from '../../src/client/events.js';
import type { OperationId } from '../../generated/operations.js';

function renderings(value: unknown): string[] {
  const texts = [inspect(value, { depth: 12, showHidden: true, getters: true })];
  try {
    texts.push(JSON.stringify(value) ?? '');
  } catch {
    // Cyclic values have no JSON form; inspect covers them.
  }
  return texts;
}

/** Every way an error is commonly logged: message, stack, JSON, inspect with hidden fields, and its cause chain. */
function errorRenderings(error: unknown): string[] {
  const texts: string[] = [];
  for (let link: unknown = error, depth = 0; link !== undefined && link !== null && depth < 6; depth += 1) {
    texts.push(String(link), ...renderings(link));
    if (link instanceof Error) texts.push(link.message, link.stack ?? '');
    link = (link as { cause?: unknown }).cause;
  }
  return texts;
}

export class Capture {
  readonly texts: string[] = [];
  /** Every UserSig that left in a request URL, from any client of the file. */
  readonly userSigs = new Set<string>();
  #restore: (() => void)[] = [];

  /** Starts recording console output, stdout/stderr writes and process warnings. */
  start(): void {
    for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
      const original = console[method].bind(console);
      const spy = vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        this.texts.push(args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 8 }))).join(' '));
        original(...args);
      });
      this.#restore.push(() => spy.mockRestore());
    }
    for (const stream of [process.stdout, process.stderr]) {
      const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
      stream.write = ((chunk: unknown, ...rest: unknown[]) => {
        this.texts.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
        return original(chunk, ...rest);
      }) as typeof stream.write;
      this.#restore.push(() => {
        stream.write = original as typeof stream.write;
      });
    }
    const onWarning = (warning: Error): void => {
      this.texts.push(...errorRenderings(warning));
    };
    process.on('warning', onWarning);
    this.#restore.push(() => process.off('warning', onWarning));
  }

  stop(): void {
    for (const restore of this.#restore.splice(0)) restore();
  }

  /** A fetch that records the UserSig of every request it sends, then sends it with `base`. */
  fetch(base: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
    return (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      const userSig = new URL(url).searchParams.get('usersig');
      if (userSig !== null && userSig !== '') this.userSigs.add(userSig);
      return base(input, init);
    };
  }

  event = (event: AttemptEvent): void => {
    this.texts.push(...renderings(event));
  };

  result<Op extends OperationId>(result: CallResult<Op>): CallResult<Op> {
    this.texts.push(...renderings(result));
    if (!result.ok) this.texts.push(...errorRenderings(result.error));
    return result;
  }

  thrown(error: unknown): void {
    this.texts.push(...errorRenderings(error));
  }

  /** Every secret in every spelling it can take in a text (raw, percent-encoded either way). */
  static forms(secret: string): string[] {
    return [...new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)])];
  }

  /** The captured texts that contain any of `secrets`, with the secret replaced by its length, for a readable failure. */
  leaks(secrets: readonly string[]): string[] {
    const forms = secrets.flatMap((secret) => Capture.forms(secret)).filter((form) => form.length >= 16);
    return this.texts.filter((text) => forms.some((form) => text.includes(form))).map((text) => text.slice(0, 300));
  }
}
