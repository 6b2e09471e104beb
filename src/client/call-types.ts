/**
 * What a call takes besides its body (`CallInit`) and what it resolves to (`CallResult`): the public shape of a call,
 * shared by the client, the attempt loop and the CLI without tying them to the client factory.
 */
import type { OperationId } from '../../generated/operations.js';
import type { ItemFailure, ItemResultOf } from '../item-results.js';
import type {
  ApiError,
  NetworkError,
  RequestValidationError,
  UnclearOutcomeError,
  UnexpectedAnswerError,
  UserSigError,
} from '../errors.js';
import type { ResponseBody } from './bodies.js';
import type { EndpointRole } from './endpoints.js';
import type { AttemptRecord } from './events.js';

type HeadersInit = NonNullable<RequestInit['headers']>;

/** Per-call settings. There is no way to pass query parameters: the client sets all of them. */
export interface CallInit {
  /**
   * Aborts the call: while it waits for a UserSig from the provider or for the rate limit (nothing is sent), while
   * a request is in flight, and during a backoff wait (the call then ends with what the last attempt got).
   */
  signal?: AbortSignal;
  headers?: HeadersInit;
  /** This call's per-attempt timeout, instead of the client's `timeoutMs`. */
  timeoutMs?: number;
}

/** Every attempt of a call in order, each with its own `random`; the last one gave the result. */
export type Attempts = readonly [AttemptRecord, ...AttemptRecord[]];

export interface CallSuccess<Op extends OperationId> {
  readonly ok: true;
  readonly data: ResponseBody<Op>;
  /** The `random` query parameter of the attempt that succeeded; quote it to the vendor's support. */
  readonly random: number;
  readonly operationId: Op;
  readonly attempts: Attempts;
  /** `hostname[:port]` that answered. */
  readonly host: string;
  /** Whether that host is the primary or the backup one. */
  readonly endpoint: EndpointRole;
  /**
   * True when the call succeeded (ErrorCode 0) but some items of a batch did not (a per-item ResultCode other than
   * 0): a partial success, never to be read as a plain one. `itemFailures` names each failed item.
   */
  readonly partial: boolean;
  readonly itemFailures: readonly ItemFailure<ItemResultOf<ResponseBody<Op>>>[];
}

export type CallFailure<Op extends OperationId> =
  | {
      readonly ok: false;
      /**
       * `unclear`: an attempt got no answer and a later answer would also follow from its success (see
       * UnclearOutcomeError). `unexpected-answer`: something answered, but not with the service's envelope (a redirect,
       * an answer over `maxResponseBytes`, a body that is not the envelope). `usersig`: the `userSig` provider failed,
       * so the last attempt was not sent.
       */
      readonly error: ApiError<Op> | NetworkError | UnclearOutcomeError<Op> | UnexpectedAnswerError | UserSigError;
      /** The `random` of the last attempt. */
      readonly random: number;
      readonly operationId: Op;
      readonly attempts: Attempts;
      /** `hostname[:port]` the last attempt went to. */
      readonly host: string;
      readonly endpoint: EndpointRole;
    }
  | {
      readonly ok: false;
      readonly error: RequestValidationError;
      /** Absent: nothing was sent. */
      readonly random?: never;
      readonly operationId: Op;
      readonly attempts: readonly [];
      readonly host?: never;
      readonly endpoint?: never;
    };

export type CallResult<Op extends OperationId> = CallSuccess<Op> | CallFailure<Op>;
