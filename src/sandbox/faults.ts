/**
 * Scheduled faults for testing clients: "make the next N calls (of one operation, or of any) answer with this
 * ErrorCode / this HTTP status / after this delay / by dropping the connection". This module holds the schedule
 * and checks fault requests; the server applies them and the control API exposes them.
 */
import { operations, type OperationId } from '../../generated/operations.js';
import { isDocumentedErrorCode, type SandboxErrorCode } from './codes.js';

export type FaultEffect =
  | { readonly kind: 'error-code'; readonly errorCode: SandboxErrorCode }
  | { readonly kind: 'http-status'; readonly httpStatus: number }
  | { readonly kind: 'drop' }
  /** Only `delayMs`: the call is answered normally, late. */
  | { readonly kind: 'delay' }
  /** The call runs, then its answer is changed, as a service whose behaviour drifted from the document would answer. */
  | ({ readonly kind: 'rewrite' } & AnswerRewrite);

/**
 * A change to an answer's top-level fields: another `ErrorCode` (any, documented or not), fields added (`add`,
 * name → value) and fields removed (`remove`). For testing a contract check, not a client.
 */
export interface AnswerRewrite {
  readonly errorCode?: number;
  readonly add: Readonly<Record<string, unknown>>;
  readonly remove: readonly string[];
}

export interface FaultSpec {
  /** Undefined: any operation. */
  readonly operationId: OperationId | undefined;
  readonly count: number;
  readonly delayMs: number;
  readonly effect: FaultEffect;
  /**
   * For `httpStatus` and `drop`: run the call for real first (the state changes), then lose the answer, as when a
   * gateway fails after the service acted. Retries of a delete then meet 51009.
   */
  readonly afterProcessing: boolean;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  /** Calls still to be hit. */
  readonly remaining: number;
}

export const MAX_FAULT_COUNT = 1_000_000;
/** Faults waiting at once: each is a few numbers, this only bounds memory against a runaway script. */
export const MAX_PENDING_FAULTS = 1000;
export const MAX_FAULT_DELAY_MS = 60_000;
const FAULT_FIELDS = new Set(['count', 'operation', 'errorCode', 'httpStatus', 'delayMs', 'drop', 'rewrite', 'afterProcessing']);

export type FaultParseResult = { readonly ok: true; readonly spec: FaultSpec } | { readonly ok: false; readonly message: string };

/** Checks a fault request (the JSON posted to the control API) and names the first bad field. */
export function parseFaultRequest(value: unknown): FaultParseResult {
  const fail = (message: string): FaultParseResult => ({ ok: false, message });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('the fault must be a JSON object');
  const request = value as Record<string, unknown>;
  const unknown = Object.keys(request).find((key) => !FAULT_FIELDS.has(key));
  if (unknown !== undefined) return fail(`${JSON.stringify(unknown.length > 40 ? `${unknown.slice(0, 40)}…` : unknown)} is not a fault field (expected ${[...FAULT_FIELDS].join(', ')})`);

  const count = request['count'] ?? 1;
  if (!isIntegerIn(count, 1, MAX_FAULT_COUNT)) return fail(`count must be an integer from 1 to ${MAX_FAULT_COUNT}`);

  let operationId: OperationId | undefined;
  if (request['operation'] !== undefined) {
    operationId = findOperation(request['operation']);
    if (operationId === undefined) {
      const names = Object.values(operations).flatMap((operation) => [operation.operationId, operation.vendorCommand]);
      return fail(`operation must be one of ${names.join(', ')} (operationId or vendor command)`);
    }
  }

  const delayMs = request['delayMs'] ?? 0;
  if (!isIntegerIn(delayMs, 0, MAX_FAULT_DELAY_MS)) return fail(`delayMs must be an integer from 0 to ${MAX_FAULT_DELAY_MS}`);

  const chosen = (['errorCode', 'httpStatus', 'drop', 'rewrite'] as const).filter((key) => request[key] !== undefined);
  if (chosen.length > 1) return fail(`choose one of errorCode, httpStatus, drop and rewrite, not ${chosen.join(' and ')}`);
  let effect: FaultEffect;
  const errorCode = request['errorCode'];
  const httpStatus = request['httpStatus'];
  if (errorCode !== undefined) {
    if (typeof errorCode !== 'number' || !isDocumentedErrorCode(errorCode)) {
      return fail('errorCode must be a code of the error-code catalogue (generated/error-codes.ts)');
    }
    effect = { kind: 'error-code', errorCode };
  } else if (httpStatus !== undefined) {
    // 5xx only: anything else would not be a network failure, and the vendor answers every business outcome with 200.
    if (!isIntegerIn(httpStatus, 500, 599)) return fail('httpStatus must be an integer from 500 to 599 (the vendor documents 502)');
    effect = { kind: 'http-status', httpStatus };
  } else if (request['rewrite'] !== undefined) {
    const rewrite = parseRewrite(request['rewrite']);
    if (typeof rewrite === 'string') return fail(rewrite);
    effect = { kind: 'rewrite', ...rewrite };
  } else if (request['drop'] !== undefined) {
    if (request['drop'] !== true) return fail('drop must be true');
    effect = { kind: 'drop' };
  } else {
    if (delayMs === 0) return fail('a fault needs errorCode, httpStatus, drop, rewrite or a delayMs above 0');
    effect = { kind: 'delay' };
  }

  const afterProcessing = request['afterProcessing'] ?? false;
  if (typeof afterProcessing !== 'boolean') return fail('afterProcessing must be true or false');
  if (afterProcessing && effect.kind !== 'http-status' && effect.kind !== 'drop') {
    return fail('afterProcessing applies only to httpStatus and drop');
  }
  return { ok: true, spec: { operationId, count: count as number, delayMs: delayMs as number, effect, afterProcessing } };
}

/** The rewrite, or what is wrong with it. */
function parseRewrite(value: unknown): AnswerRewrite | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'rewrite must be an object with errorCode, add and/or remove';
  const { errorCode, add = {}, remove = [], ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) return `"rewrite.${unknown}" is not a rewrite field (expected errorCode, add, remove)`;
  if (errorCode !== undefined && !isIntegerIn(errorCode, 0, 4_294_967_295)) return 'rewrite.errorCode must be an integer of 0 or more';
  if (typeof add !== 'object' || add === null || Array.isArray(add)) return 'rewrite.add must be an object of field name to value';
  if (!Array.isArray(remove) || remove.some((name) => typeof name !== 'string')) return 'rewrite.remove must be a list of field names';
  if (errorCode === undefined && Object.keys(add).length === 0 && remove.length === 0) return 'rewrite must change something: errorCode, add or remove';
  return { ...(errorCode === undefined ? {} : { errorCode: errorCode as number }), add: add as Record<string, unknown>, remove: remove as string[] };
}

/** The answer `body` (JSON text) with the rewrite applied to its top-level fields. */
export function rewriteAnswer(body: string, rewrite: AnswerRewrite): string {
  const answer = JSON.parse(body) as Record<string, unknown>;
  for (const name of rewrite.remove) delete answer[name];
  Object.assign(answer, rewrite.add);
  if (rewrite.errorCode !== undefined) answer['ErrorCode'] = rewrite.errorCode;
  return JSON.stringify(answer);
}

function findOperation(name: unknown): OperationId | undefined {
  return Object.values(operations).find((operation) => operation.operationId === name || operation.vendorCommand === name)
    ?.operationId;
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

interface ScheduledFault extends FaultSpec {
  readonly id: number;
  remaining: number;
}

/** Faults in the order they were scheduled; a call takes the first one that applies to its operation. */
export class FaultSchedule {
  readonly #pending: ScheduledFault[] = [];
  #nextId = 1;

  add(spec: FaultSpec): Fault {
    const fault: ScheduledFault = { ...spec, id: this.#nextId++, remaining: spec.count };
    this.#pending.push(fault);
    return { ...fault };
  }

  /** Uses up one call of the first fault for this operation; undefined when none applies. */
  take(operationId: OperationId): Fault | undefined {
    if (this.#pending.length === 0) return undefined;
    const index = this.#pending.findIndex((fault) => fault.operationId === undefined || fault.operationId === operationId);
    if (index === -1) return undefined;
    const fault = this.#pending[index] as ScheduledFault;
    fault.remaining--;
    if (fault.remaining === 0) this.#pending.splice(index, 1);
    return { ...fault };
  }

  list(): Fault[] {
    return this.#pending.map((fault) => ({ ...fault }));
  }

  /** Removes every pending fault and says how many there were. */
  clear(): number {
    return this.#pending.splice(0).length;
  }
}

/** The JSON form used by the control API: the same fields as a fault request, plus `id` and `remaining`. */
export function describeFault(fault: Fault): Record<string, unknown> {
  return {
    id: fault.id,
    count: fault.count,
    remaining: fault.remaining,
    ...(fault.operationId === undefined ? {} : { operation: fault.operationId }),
    ...(fault.effect.kind === 'error-code' ? { errorCode: fault.effect.errorCode } : {}),
    ...(fault.effect.kind === 'http-status' ? { httpStatus: fault.effect.httpStatus } : {}),
    ...(fault.effect.kind === 'drop' ? { drop: true } : {}),
    ...(fault.effect.kind === 'rewrite'
      ? { rewrite: { ...(fault.effect.errorCode === undefined ? {} : { errorCode: fault.effect.errorCode }), add: fault.effect.add, remove: fault.effect.remove } }
      : {}),
    ...(fault.delayMs > 0 ? { delayMs: fault.delayMs } : {}),
    ...(fault.afterProcessing ? { afterProcessing: true } : {}),
  };
}
