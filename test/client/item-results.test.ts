import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ContactResult, ContactUpdateResult, CreateContactGroupResponse, DelContactGroupResponse, MarkResult } from '../../generated/types.js';
import type { ResponseBody } from '../../src/client/bodies.js';
import { isPartialSuccess, itemFailures, itemResults, type HasItemResults, type ItemResultOf } from '../../src/item-results.js';
import { namedExample } from '../support/spec-document.js';

const example = namedExample;

describe('itemFailures', () => {
  it('finds the failed conversation of a partial create with its path, code, info and meaning', () => {
    const body = example('CreateContactGroupPartialSuccess') as CreateContactGroupResponse;
    const failures = itemFailures(body);
    expect(failures).toEqual([
      {
        path: 'GroupResultItem[0].ResultItem[1]',
        item: { ContactItem: { Type: 2, ToGroupId: '@TGS#2ABCDEF' }, ResultCode: 51008, ResultInfo: 'at most 1000 conversations can be in conversation groups' },
        code: 51008,
        info: 'at most 1000 conversations can be in conversation groups',
        ok: false,
        meaning: expect.stringContaining('1000'),
        retryable: false,
        strategy: 'none',
        documented: true,
      },
    ]);
    expect(isPartialSuccess(body)).toBe(true);
  });

  it('finds the failed items of partial updates and mark changes', () => {
    expect(itemFailures(example('UpdateContactGroupPartialSuccess')).map((failure) => [failure.path, failure.code])).toEqual([
      ['UpdateGroupResult.ContactResultItem[1]', 51008],
    ]);
    expect(itemFailures(example('MarkContactPartialSuccess')).map((failure) => [failure.path, failure.code])).toEqual([['ResultItem[1]', 51008]]);
  });

  it('finds nothing in full successes and in answers without item results', () => {
    for (const name of ['CreateContactGroupSuccess', 'UpdateContactGroupSuccess', 'MarkContactSuccess', 'SearchContactGroupSuccess', 'DelContactGroupSuccess']) {
      expect(itemFailures(example(name)), name).toEqual([]);
      expect(isPartialSuccess(example(name)), name).toBe(false);
    }
  });

  it('lists every item result, failed or not, in document order', () => {
    expect(itemResults(example('CreateContactGroupPartialSuccess')).map((outcome) => [outcome.path, outcome.ok])).toEqual([
      ['GroupResultItem[0].ResultItem[0]', true],
      ['GroupResultItem[0].ResultItem[1]', false],
    ]);
  });

  it('passes an undocumented code through, saying so', () => {
    const [failure] = itemFailures({ ResultItem: [{ ResultCode: 12345 }] });
    expect(failure).toMatchObject({ code: 12345, info: '', documented: false, retryable: false });
  });

  it('does not call a failed call a partial success', () => {
    expect(isPartialSuccess({ ErrorCode: 51010, ResultItem: [{ ResultCode: 1 }] })).toBe(false);
    expect(isPartialSuccess(null)).toBe(false);
  });
});

describe('the type-level helpers', () => {
  it('name the item-result type of each batch answer, and none for other answers', () => {
    expectTypeOf<ItemResultOf<ResponseBody<'createContactGroup'>>>().toEqualTypeOf<ContactResult>();
    expectTypeOf<ItemResultOf<ResponseBody<'updateContactGroup'>>>().toEqualTypeOf<ContactUpdateResult>();
    expectTypeOf<ItemResultOf<ResponseBody<'markContact'>>>().toEqualTypeOf<MarkResult>();
    expectTypeOf<HasItemResults<ResponseBody<'markContact'>>>().toEqualTypeOf<true>();
    expectTypeOf<HasItemResults<DelContactGroupResponse>>().toEqualTypeOf<false>();
    expectTypeOf<HasItemResults<ResponseBody<'getContactGroup'>>>().toEqualTypeOf<false>();
    const failures = itemFailures({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' } as ResponseBody<'markContact'>);
    expectTypeOf<(typeof failures)[number]['item']>().toEqualTypeOf<MarkResult>();
  });
});
