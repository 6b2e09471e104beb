/**
 * Reading an answer without trusting it: the body is read as a stream up to a byte limit and cancelled as soon as it
 * passes it (or at once when Content-Length already says so), so an oversized answer is never buffered; then it is
 * parsed and checked to be the result envelope, no deeper than any answer of the spec. Anything else is named by
 * the reason it is not the service's answer (see `UnexpectedAnswerReason`), never thrown.
 */
import type { UnexpectedAnswerReason } from '../errors.js';

/**
 * The default of `maxResponseBytes`. The largest documented answers (a page of the conversation list, a create with
 * its thousand item results) are some hundreds of kilobytes; this leaves ample room above them.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

/**
 * How deeply an answer may nest arrays and objects. The deepest answer the spec documents nests six levels (a
 * create's item results); a deeper one is not the service's, and walking it could overflow the stack.
 */
export const MAX_ANSWER_DEPTH = 32;

/** The body was larger than the limit; the rest of it was cancelled. */
export interface TooLarge {
  readonly tooLarge: true;
  /** The size Content-Length declared, when the answer declared one. */
  readonly declaredBytes: number | undefined;
}

/** The envelope fields every answer carries (the rest of the body is the operation's). */
export interface Envelope {
  readonly ErrorCode: number;
  readonly ErrorInfo?: unknown;
  readonly ErrorDisplay?: unknown;
}

const decoder = new TextDecoder();

function ignore(): void {
  // A body that fails to cancel has nothing more to say.
}

/** Stops a body nobody will read, so its connection is released instead of downloading the rest. */
export function cancelBody(response: Response): void {
  if (response.body !== null && !response.bodyUsed) response.body.cancel().catch(ignore);
}

function joined(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return whole;
}

/**
 * The body as text (UTF-8, like `response.text()`), or `TooLarge` once more than `limit` bytes arrived. Rejects like
 * `response.text()` when the stream fails (a lost connection, the attempt's timeout or abort).
 */
export async function readBody(response: Response, limit: number): Promise<string | TooLarge> {
  const declared = response.headers.get('content-length');
  const declaredBytes = declared === null ? undefined : Number(declared);
  if (declaredBytes !== undefined && declaredBytes > limit) {
    cancelBody(response);
    return { tooLarge: true, declaredBytes };
  }
  const { body } = response;
  if (body === null) return '';
  const reader = body.getReader();
  let first: Uint8Array | undefined;
  let more: Uint8Array[] | undefined;
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (!(value instanceof Uint8Array)) {
      reader.cancel().catch(ignore);
      throw new TypeError('the answer body yielded a chunk that is not bytes');
    }
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(ignore);
      return { tooLarge: true, declaredBytes };
    }
    if (first === undefined) first = value;
    else (more ??= [first]).push(value);
  }
  if (first === undefined) return '';
  return decoder.decode(more === undefined ? first : joined(more, size));
}

/** Whether JSON text nests arrays and objects deeper than `limit`; a scan of the text, before anything is parsed. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (inString) {
      if (unit === 0x5c) index += 1; // a backslash: the next unit is escaped
      else if (unit === 0x22) inString = false;
    } else if (unit === 0x22) {
      inString = true;
    } else if (unit === 0x7b || unit === 0x5b) {
      depth += 1;
      if (depth > limit) return true;
    } else if (unit === 0x7d || unit === 0x5d) {
      depth -= 1;
    }
  }
  return false;
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

/** The envelope the text holds, or why it is not one. */
export function parseEnvelope(text: string): Envelope | UnexpectedAnswerReason {
  if (nestsDeeperThan(text, MAX_ANSWER_DEPTH)) return 'too-deep';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'not-json';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not-envelope';
  const { ErrorCode, ActionStatus, ErrorInfo, ErrorDisplay } = value as Record<string, unknown>;
  if (!Number.isInteger(ErrorCode) || !isOptionalString(ActionStatus) || !isOptionalString(ErrorInfo) || !isOptionalString(ErrorDisplay)) {
    return 'not-envelope';
  }
  return value as Envelope;
}
