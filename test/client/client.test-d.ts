/**
 * Type-level behaviour of the client; checked by the compiler only, never run. Every `@ts-expect-error` line is an
 * assertion: if the line compiled, the directive itself would fail the check.
 */
import { describe, expectTypeOf, it } from 'vitest';
import {
  createChatGroupsClient,
  type ApiError,
  type CallResult,
  type ChatGroupsClientOptions,
  type DelContactGroupResponse,
  type GroupItem,
  type NetworkError,
  type RequestValidationError,
  type UnexpectedAnswerError,
  type UnexpectedAnswerReason,
  type UserSigError,
  type UserSigFailureReason,
} from '../../src/index.js';
import type { UnclearOutcomeError } from '../../src/errors.js';

declare const chat: ReturnType<typeof createChatGroupsClient>;
declare const result: CallResult<'delContactGroup'>;
const path = '/v4/recentcontact/del_contact_group';

/** The literal members of a code type: what editors offer, as opposed to the open `number & {}` member. */
type DocumentedLiterals<Code> = Code extends number ? (number extends Code ? never : Code) : never;

describe('request bodies', () => {
  it('accept the documented shape', () => {
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: ['group_0001'] });
    void chat.call('delContactGroup', { From_Account: 'user_0001', GroupName: ['group_0001'] });
  });

  it('refuse a body without From_Account', () => {
    // @ts-expect-error From_Account is required
    void chat.delContactGroup({ GroupName: ['group_0001'] });
  });

  it('refuse GroupName as a string, two names, or a number name', () => {
    // @ts-expect-error GroupName is an array of one name
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: 'group_0001' });
    // @ts-expect-error only one group per call
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: ['a', 'b'] });
    // @ts-expect-error names are strings
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: [1] });
    // @ts-expect-error the generic form checks the body of the named operation too
    void chat.call('delContactGroup', { From_Account: 'user_0001' });
  });
});

describe('signing parameters', () => {
  it('cannot be passed in the body or the per-call init', () => {
    // @ts-expect-error the client sets usersig itself
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: ['g'], usersig: 'x' });
    // @ts-expect-error the client sets random itself
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: ['g'] }, { random: 1 });
    // @ts-expect-error there are no query params to pass
    void chat.delContactGroup({ From_Account: 'user_0001', GroupName: ['g'] }, { params: { query: { usersig: 'x' } } });
  });

  it('cannot be passed to client.raw, which needs none of them', () => {
    void chat.raw.POST(path, { body: { From_Account: 'user_0001', GroupName: ['g'] } });
    // @ts-expect-error usersig is the client's
    void chat.raw.POST(path, { body: { From_Account: 'user_0001', GroupName: ['g'] }, params: { query: { usersig: 'x' } } });
    // @ts-expect-error random is the client's
    void chat.raw.POST(path, { body: { From_Account: 'user_0001', GroupName: ['g'] }, params: { query: { random: 1 } } });
    // @ts-expect-error sdkappid is the client's
    void chat.raw.POST(path, { body: { From_Account: 'user_0001', GroupName: ['g'] }, params: { query: { sdkappid: 1 } } });
    // @ts-expect-error raw still checks the body's fields (openapi-fetch widens the one-name tuple to an array, though)
    void chat.raw.POST(path, { body: { GroupName: ['g'] } });
  });

  it('cannot be passed as client options', () => {
    const base = { sdkAppId: 1, identifier: 'admin', secretKey: 'k', region: 'singapore' } as const;
    expectTypeOf(base).toExtend<ChatGroupsClientOptions>();
    // @ts-expect-error usersig is not an option (userSig, a provider, is)
    createChatGroupsClient({ ...base, usersig: 'x' });
    // @ts-expect-error exactly one of secretKey and userSig
    createChatGroupsClient({ ...base, userSig: () => 'sig' });
    // @ts-expect-error exactly one of region and baseUrl
    createChatGroupsClient({ ...base, baseUrl: 'https://chat.test' });
    // @ts-expect-error regions come from the spec
    createChatGroupsClient({ ...base, region: 'atlantis' });
  });
});

describe('results', () => {
  it('type data on success with the 200 body', () => {
    if (result.ok) {
      expectTypeOf(result.data.GroupItem).toEqualTypeOf<GroupItem[] | undefined>();
      expectTypeOf(result.data.ErrorCode).toEqualTypeOf<number>();
      expectTypeOf(result.random).toEqualTypeOf<number>();
    }
  });

  it('expose code, meaning and retryable on every failure kind', () => {
    if (!result.ok) {
      expectTypeOf(result.error).toEqualTypeOf<
        | ApiError<'delContactGroup'>
        | NetworkError
        | UnclearOutcomeError<'delContactGroup'>
        | RequestValidationError
        | UnexpectedAnswerError
        | UserSigError
      >();
      expectTypeOf(result.error.meaning).toEqualTypeOf<string>();
      expectTypeOf(result.error.retryable).toEqualTypeOf<boolean>();
      expectTypeOf(result.error.code).toExtend<number | undefined>();
      expectTypeOf(result.random).toEqualTypeOf<number | undefined>();
    }
  });

  it('narrow the code of an api error to the documented codes while accepting unknown ones', () => {
    if (!result.ok && result.error.kind === 'api') {
      type Code = typeof result.error.code;
      expectTypeOf<51009>().toExtend<DocumentedLiterals<Code>>();
      expectTypeOf<70001>().toExtend<DocumentedLiterals<Code>>();
      expectTypeOf<123456>().not.toExtend<DocumentedLiterals<Code>>();
      expectTypeOf<123456>().toExtend<Code>();
      expectTypeOf(result.error.code).toExtend<number>();
      expectTypeOf(result.error.random).toEqualTypeOf<number>();
      expectTypeOf(result.error.body).toEqualTypeOf<DelContactGroupResponse>();
      // @ts-expect-error codes are numbers
      const wrong: typeof result.error.code = '51009';
      void wrong;
    }
  });

  it('have no code on a network error and no random before anything was sent', () => {
    if (!result.ok && result.error.kind === 'network') {
      expectTypeOf(result.error.code).toEqualTypeOf<undefined>();
      // Only connection failures, timeouts and HTTP 502/503/504 are retryable.
      expectTypeOf(result.error.retryable).toEqualTypeOf<boolean>();
    }
    if (!result.ok && result.error.kind === 'validation') {
      expectTypeOf(result.error.retryable).toEqualTypeOf<false>();
      expectTypeOf(result.error.field).toEqualTypeOf<string>();
    }
  });

  it('say how many attempts were made, with which random and host, and which host answered', () => {
    if (result.ok) {
      expectTypeOf(result.attempts[0].random).toEqualTypeOf<number>();
      expectTypeOf(result.attempts[0].outcome.code).toEqualTypeOf<number | undefined>();
      expectTypeOf(result.host).toEqualTypeOf<string>();
      expectTypeOf(result.endpoint).toEqualTypeOf<'primary' | 'backup'>();
    }
  });

  it('can be switched over exhaustively by kind, each kind with its own fields', () => {
    const describe = (failure: CallResult<'delContactGroup'>): string => {
      if (failure.ok) return 'ok';
      const { error } = failure;
      switch (error.kind) {
        case 'api':
          return `api ${error.code} ${error.info}`;
        case 'network':
          return `network ${error.reason} ${error.delivery}`;
        case 'unclear':
          return `unclear ${error.possibleEffect}`;
        case 'validation':
          return `validation ${error.field}`;
        case 'unexpected-answer': {
          expectTypeOf(error.reason).toEqualTypeOf<UnexpectedAnswerReason>();
          expectTypeOf(error.location).toEqualTypeOf<string | undefined>();
          expectTypeOf(error.limitBytes).toEqualTypeOf<number | undefined>();
          expectTypeOf(error.retryable).toEqualTypeOf<false>();
          expectTypeOf(error.code).toEqualTypeOf<undefined>();
          return `unexpected ${error.reason} ${error.hint}`;
        }
        case 'usersig': {
          expectTypeOf(error.reason).toEqualTypeOf<UserSigFailureReason>();
          expectTypeOf(error.delivery).toEqualTypeOf<'not-sent'>();
          expectTypeOf(error.retryable).toEqualTypeOf<false>();
          return `usersig ${error.reason} ${error.hint}`;
        }
        default: {
          // Every kind is handled above, so nothing is left.
          const rest: never = error;
          return rest;
        }
      }
    };
    expectTypeOf(describe).returns.toEqualTypeOf<string>();
    expectTypeOf<UnexpectedAnswerReason>().toEqualTypeOf<'redirect' | 'too-large' | 'not-json' | 'not-envelope' | 'too-deep'>();
    expectTypeOf<UserSigFailureReason>().toEqualTypeOf<'timeout' | 'provider-error' | 'invalid-value'>();
  });

  it('tell an unclear outcome apart from an api failure', () => {
    if (!result.ok && result.error.kind === 'unclear') {
      expectTypeOf(result.error.answer).toEqualTypeOf<ApiError<'delContactGroup'>>();
      expectTypeOf(result.error.retryable).toEqualTypeOf<false>();
      expectTypeOf(result.error.code).toExtend<number>();
    }
    if (!result.ok && result.error.kind === 'api') {
      // @ts-expect-error only an unclear outcome has the answer it wraps
      void result.error.answer;
    }
  });

  it('keep the operation id', () => {
    expectTypeOf(result.operationId).toEqualTypeOf<'delContactGroup'>();
    expectTypeOf(chat.delContactGroup).returns.resolves.toEqualTypeOf<CallResult<'delContactGroup'>>();
  });
});
