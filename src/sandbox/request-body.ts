/**
 * Turns the bytes of a request body into a JSON value, refusing what the sandbox must never act on: bytes that are not
 * UTF-8 (decoding would turn them into U+FFFD, so two different byte strings would name one group), text that is not
 * JSON, and JSON nested deeper than the document's `x-request-limits.maxNestingDepth`, so that no later walk over the
 * value (validation, copying, writing the answer or the state) can run out of stack. Every step is a loop, never a
 * recursion over the value. Shared by the vendor API, the control API and the `npm start` proxy front.
 */
import { requestLimits } from '../../generated/operations.js';

export type BodyReading =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly problem: 'not-utf8' | 'not-json' }
  | { readonly ok: false; readonly problem: 'too-deep'; readonly depth: number };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const maxNestingDepth: number = requestLimits.maxNestingDepth;

export function readJsonBody(bytes: Uint8Array, maxDepth = maxNestingDepth): BodyReading {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { ok: false, problem: 'not-utf8' };
  }
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth) return { ok: false, problem: 'too-deep', depth };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: 'not-json' };
  }
}

/**
 * How deeply the arrays and objects of a JSON text nest (brackets inside strings do not count). Stops counting a
 * little past `limit`: the answer only needs to say that the limit was passed and by at least how much.
 */
export function nestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    if (inString) {
      if (unit === 0x5c /* \ */) index++;
      else if (unit === 0x22 /* " */) inString = false;
      continue;
    }
    if (unit === 0x22) inString = true;
    else if (unit === 0x5b /* [ */ || unit === 0x7b /* { */) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (unit === 0x5d /* ] */ || unit === 0x7d /* } */) depth--;
  }
  return deepest;
}

/** What was wrong with a body, as a sentence for an answer. */
export function describeBodyProblem(reading: Exclude<BodyReading, { ok: true }>): string {
  switch (reading.problem) {
    case 'not-utf8':
      return 'The request body is not valid UTF-8 (a JSON body must be UTF-8 text).';
    case 'not-json':
      return 'The request body is not valid JSON.';
    case 'too-deep':
      return `The request body nests more than ${maxNestingDepth} levels deep (x-request-limits.maxNestingDepth is ${maxNestingDepth}).`;
  }
}
