/**
 * Per-item outcomes of batch answers. `create_contact_group`, `update_contact_group` and `mark_contact` answer one
 * `ResultCode` per conversation, and the top-level `ErrorCode` can be 0 while some of them failed: such an answer is a
 * partial success, and reading only `ErrorCode` would report it as a plain success. These helpers find every item
 * result in any response body, so a caller (or the client) can show each failed item with its code and meaning.
 */
import { errorCodes, type ErrorCodeInfo, type RetryStrategy } from '../generated/error-codes.js';

type Depth = [never, 0, 1, 2, 3, 4, 5, 6, 7];

/**
 * The item-result objects (those with a `ResultCode`) anywhere in a response type, e.g. for
 * `CreateContactGroupResponse` the `{ ContactItem, ResultCode, ResultInfo }` entries. `never` for answers without
 * per-item results. The depth bound keeps the compiler out of runaway recursion on unusual types.
 */
export type ItemResultOf<T, D extends number = 8> = [D] extends [never]
  ? never
  : T extends readonly (infer Element)[]
    ? ItemResultOf<Element, Depth[D]>
    : T extends object
      ? (T extends { ResultCode: number } ? T : never) | { [K in keyof T]-?: ItemResultOf<NonNullable<T[K]>, Depth[D]> }[keyof T]
      : never;

/** True when a response type carries per-item results. */
export type HasItemResults<T> = [ItemResultOf<T>] extends [never] ? false : true;

export interface ItemOutcome<Item = Record<string, unknown>> {
  /** Where the item is in the body, e.g. `GroupResultItem[0].ResultItem[1]`. */
  readonly path: string;
  /** The object that holds `ResultCode` (with its `ContactItem`, `OptType`, … as the operation answers them). */
  readonly item: Item;
  readonly code: number;
  /** `ResultInfo` from the answer ('' when absent). */
  readonly info: string;
  readonly ok: boolean;
}

export interface ItemFailure<Item = Record<string, unknown>> extends ItemOutcome<Item> {
  readonly ok: false;
  /** What the code means, from the spec's error table. */
  readonly meaning: string;
  readonly retryable: boolean;
  readonly strategy: RetryStrategy;
  /** False when the spec does not document the code. */
  readonly documented: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Walks with a stack of its own rather than recursion, so no nesting depth can overflow the call stack; children are
 * pushed last-first so items still come out in document order.
 */
function collect(body: unknown, out: ItemOutcome[]): void {
  const values: unknown[] = [body];
  const paths: string[] = [''];
  while (values.length > 0) {
    const value = values.pop();
    const path = paths.pop() as string;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) {
        const element: unknown = value[index];
        if (typeof element === 'object' && element !== null) {
          values.push(element);
          paths.push(`${path}[${index}]`);
        }
      }
    } else if (isObject(value)) {
      const code = value['ResultCode'];
      if (typeof code === 'number') {
        const info = typeof value['ResultInfo'] === 'string' ? value['ResultInfo'] : '';
        out.push({ path, item: value, code, info, ok: code === 0 });
        // An item result holds the item it is about, never further results.
      } else {
        const keys = Object.keys(value);
        for (let index = keys.length - 1; index >= 0; index -= 1) {
          const key = keys[index] as string;
          const child = value[key];
          if (typeof child === 'object' && child !== null) {
            values.push(child);
            paths.push(path === '' ? key : `${path}.${key}`);
          }
        }
      }
    }
  }
}

/** Every per-item result of a response body, in document order (empty for answers without any). */
export function itemResults<Body>(body: Body): ItemOutcome<ItemResultOf<Body>>[] {
  const out: ItemOutcome[] = [];
  collect(body, out);
  return out as ItemOutcome<ItemResultOf<Body>>[];
}

/** The per-item results whose `ResultCode` is not 0, each with its meaning and retryability from the spec. */
export function itemFailures<Body>(body: Body): ItemFailure<ItemResultOf<Body>>[] {
  return itemResults(body)
    .filter((outcome) => !outcome.ok)
    .map((outcome) => {
      const known = (errorCodes as Readonly<Record<number, ErrorCodeInfo>>)[outcome.code];
      return {
        ...outcome,
        ok: false as const,
        meaning: known?.meaning ?? 'The spec does not document this error code; ResultInfo may say more.',
        retryable: known?.retryable ?? false,
        strategy: known?.strategy ?? 'none',
        documented: known !== undefined,
      };
    });
}

/** True when the top-level `ErrorCode` is 0 but at least one item failed. */
export function isPartialSuccess(body: unknown): boolean {
  return isObject(body) && body['ErrorCode'] === 0 && itemResults(body).some((outcome) => !outcome.ok);
}
