/**
 * The validator's extensions for the family: per-keyword error codes (`x-keyword-error-codes`), unions picked by
 * their tag, and the documented limit of every operation with the code the service answers for it.
 */
import { describe, expect, it } from 'vitest';
import { operations } from '../../generated/operations.js';
import { validateAgainstSchema, validateRequest, type Violation } from '../../src/validate.js';

const bob = { Type: 1, To_Account: 'bob' } as const;
const team = { Type: 2, ToGroupId: '@TGS#2ABC' } as const;

function summary(violations: Violation[]): [string, string, number][] {
  return violations.map((violation) => [violation.field, violation.rule, violation.errorCode]);
}

function markItems(count: number) {
  return Array.from({ length: count }, (_, index) => ({ OptType: 1, ContactItem: { Type: 1, To_Account: `u${index}` }, SetMark: [1] }));
}

function contacts(count: number) {
  return Array.from({ length: count }, (_, index) => ({ Type: 1, To_Account: `u${index}` }));
}

const create = (items: unknown[], name = 'work') => ({ From_Account: 'alice', GroupContactItem: [{ GroupName: name, ContactItem: items }] });

describe('documented limits, checked with the code the service answers', () => {
  it.each([
    ['mark_contact with no MarkItem', 'markContact', { From_Account: 'alice', MarkItem: [] }, [['MarkItem', 'minItems', 51006]]],
    ['mark_contact with 101 MarkItems', 'markContact', { From_Account: 'alice', MarkItem: markItems(101) }, [['MarkItem', 'maxItems', 51006]]],
    [
      'a custom mark of 257 UTF-8 bytes',
      'markContact',
      { From_Account: 'alice', MarkItem: [{ OptType: 2, ContactItem: bob, CustomMark: `${'é'.repeat(128)}x` }] },
      [['MarkItem[0].CustomMark', 'x-max-bytes', 50002]],
    ],
    ['mark bit 0', 'markContact', { From_Account: 'alice', MarkItem: [{ OptType: 1, ContactItem: bob, SetMark: [0] }] }, [['MarkItem[0].SetMark[0]', 'minimum', 50002]]],
    ['mark bit 65', 'markContact', { From_Account: 'alice', MarkItem: [{ OptType: 1, ContactItem: bob, ClearMark: [65] }] }, [['MarkItem[0].ClearMark[0]', 'maximum', 50002]]],
    ['OptType 4', 'markContact', { From_Account: 'alice', MarkItem: [{ OptType: 4, ContactItem: bob }] }, [['MarkItem[0].OptType', 'enum', 50002]]],
    ['search of 301 conversations', 'searchContactGroup', { From_Account: 'alice', ContactItem: contacts(301) }, [['ContactItem', 'maxItems', 50002]]],
    ['search of no conversation', 'searchContactGroup', { From_Account: 'alice', ContactItem: [] }, [['ContactItem', 'minItems', 50002]]],
    [
      'two groups in one create',
      'createContactGroup',
      { From_Account: 'alice', GroupContactItem: [{ GroupName: 'a', ContactItem: [bob] }, { GroupName: 'b', ContactItem: [bob] }] },
      [['GroupContactItem', 'maxItems', 50002]],
    ],
    ['no group in a create', 'createContactGroup', { From_Account: 'alice', GroupContactItem: [] }, [['GroupContactItem', 'minItems', 50002]]],
    ['a create of 101 conversations (the 2026 page allows 100)', 'createContactGroup', create(contacts(101)), [['GroupContactItem[0].ContactItem', 'maxItems', 50002]]],
    ['a group name of 65 UTF-8 bytes', 'createContactGroup', create([bob], '群'.repeat(21) + 'xy'), [['GroupContactItem[0].GroupName', 'x-max-bytes', 51011]]],
    ['an empty group name', 'createContactGroup', create([bob], ''), [['GroupContactItem[0].GroupName', 'minLength', 50002]]],
    [
      'a new name of 65 UTF-8 bytes',
      'updateContactGroup',
      { From_Account: 'alice', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'work', NewGroupName: 'é'.repeat(32) + 'x' } },
      [['UpdateGroup.NewGroupName', 'x-max-bytes', 51011]],
    ],
    [
      'an UpdateType other than 1',
      'updateContactGroup',
      { From_Account: 'alice', UpdateType: 2, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'a', NewGroupName: 'b' } },
      [['UpdateType', 'enum', 50002]],
    ],
    ['a negative StartIndex', 'getContactGroup', { From_Account: 'alice', StartIndex: -1 }, [['StartIndex', 'minimum', 50002]]],
    [
      'a get_list without AssistFlags',
      'getRecentContactList',
      { From_Account: 'alice', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0 },
      [['AssistFlags', 'required', 50002]],
    ],
    ['ClearRamble 2', 'deleteRecentContact', { From_Account: 'alice', Type: 1, To_Account: 'bob', ClearRamble: 2 }, [['ClearRamble', 'enum', 50002]]],
  ] as const)('%s', (_case, operationId, body, expected) => {
    expect(summary(validateRequest(operationId, body))).toEqual(expected);
  });

  it('accepts the boundaries: 1 and 100 mark items, 300 searched, 0 and 100 in a create, 64 and 256 bytes', () => {
    expect(validateRequest('markContact', { From_Account: 'alice', MarkItem: markItems(1) })).toEqual([]);
    expect(validateRequest('markContact', { From_Account: 'alice', MarkItem: markItems(100) })).toEqual([]);
    expect(validateRequest('searchContactGroup', { From_Account: 'alice', ContactItem: contacts(300) })).toEqual([]);
    expect(validateRequest('createContactGroup', create(contacts(100), '群'.repeat(21) + 'x'))).toEqual([]);
    expect(validateRequest('createContactGroup', create([]))).toEqual([]);
    expect(validateRequest('markContact', { From_Account: 'alice', MarkItem: [{ OptType: 2, ContactItem: team, CustomMark: 'é'.repeat(128) }] })).toEqual([]);
  });
});

describe('unions, picked by their Type tag', () => {
  it('accepts one-to-one and group conversations, and names the missing peer field of the chosen one', () => {
    expect(validateRequest('searchContactGroup', { From_Account: 'alice', ContactItem: [bob, team] })).toEqual([]);
    expect(summary(validateRequest('searchContactGroup', { From_Account: 'alice', ContactItem: [{ Type: 2, To_Account: 'bob' }] }))).toEqual([
      ['ContactItem[0].ToGroupId', 'required', 50002],
    ]);
    expect(summary(validateRequest('searchContactGroup', { From_Account: 'alice', ContactItem: [{ Type: 1, ToGroupId: '@TGS#1' }] }))).toEqual([
      ['ContactItem[0].To_Account', 'required', 50002],
    ]);
  });

  it('names the tag itself when it is missing or has no branch', () => {
    const [missing] = validateRequest('searchContactGroup', { From_Account: 'alice', ContactItem: [{ To_Account: 'bob' }] });
    expect(missing).toMatchObject({ field: 'ContactItem[0].Type', rule: 'required', errorCode: 50002 });
    const [unknown] = validateRequest('searchContactGroup', { From_Account: 'alice', ContactItem: [{ Type: 3, To_Account: 'bob' }] });
    expect(unknown).toMatchObject({ field: 'ContactItem[0].Type', rule: 'oneOf', errorCode: 50002 });
    expect(unknown?.message).toBe('ContactItem[0].Type must be one of 1, 2, got 3');
  });

  it('keeps the kinds of group update apart: a rename changes no conversations (an empty list is no change), a conversation change may name none', () => {
    const rename = { UpdateGroupType: 1, OldGroupName: 'work', NewGroupName: 'office' };
    const change = { UpdateGroupType: 2, OldGroupName: 'work', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: bob }] };
    const body = (UpdateGroup: unknown) => ({ From_Account: 'alice', UpdateType: 1, UpdateGroup });
    expect(validateRequest('updateContactGroup', body(rename))).toEqual([]);
    expect(validateRequest('updateContactGroup', body(change))).toEqual([]);
    expect(summary(validateRequest('updateContactGroup', body({ ...rename, ContactUpdateItem: change.ContactUpdateItem })))).toEqual([
      ['UpdateGroup.ContactUpdateItem', 'maxItems', 50002],
    ]);
    expect(validateRequest('updateContactGroup', body({ ...rename, ContactUpdateItem: [] }))).toEqual([]);
    expect(validateRequest('updateContactGroup', body({ UpdateGroupType: 2, OldGroupName: 'work' }))).toEqual([]);
    expect(validateRequest('updateContactGroup', body({ UpdateGroupType: 2, OldGroupName: 'work', ContactUpdateItem: [] }))).toEqual([]);
    expect(validateRequest('updateContactGroup', body({ UpdateGroupType: 2, ContactUpdateItem: change.ContactUpdateItem }))).toEqual([]);
    expect(summary(validateRequest('updateContactGroup', body({ UpdateGroupType: 1, NewGroupName: 'x' })))).toEqual([
      ['UpdateGroup.OldGroupName', 'required', 50002],
    ]);
  });

  it('takes delete of a group conversation with ToGroupid only (the API\'s own spelling)', () => {
    expect(validateRequest('deleteRecentContact', { From_Account: 'alice', Type: 2, ToGroupid: '@TGS#1', ClearRamble: 1 })).toEqual([]);
    expect(validateRequest('deleteRecentContact', { From_Account: 'alice', Type: 1, To_Account: 'bob' })).toEqual([]);
    expect(summary(validateRequest('deleteRecentContact', { From_Account: 'alice', Type: 2, ToGroupId: '@TGS#1' }))).toEqual([
      ['ToGroupid', 'required', 50002],
    ]);
  });
});

describe('x-keyword-error-codes', () => {
  it('is what the generated operations table carries for the limits with codes of their own', () => {
    expect(operations.markContact.requestSchema.properties.MarkItem).toMatchObject({
      minItems: 1,
      maxItems: 100,
      'x-keyword-error-codes': { minItems: 51006, maxItems: 51006 },
    });
  });

  it('leaves every other violation at the same place with the bad-request code', () => {
    const violations = validateRequest('markContact', { From_Account: 'alice', MarkItem: 'not a list' });
    expect(summary(violations)).toEqual([['MarkItem', 'type', 50002]]);
  });

  it('keeps x-max-bytes-error-code working for the byte limit of del_contact_group', () => {
    expect(summary(validateRequest('delContactGroup', { From_Account: 'alice', GroupName: ['群'.repeat(22)] }))).toEqual([
      ['GroupName[0]', 'x-max-bytes', 51011],
    ]);
  });
});

describe('validateAgainstSchema (the same checks on any schema)', () => {
  const list = { type: 'array', minItems: 1, maxItems: 2, 'x-keyword-error-codes': { minItems: 51006, maxItems: 51007 } };

  it('gives each keyword its own code and the rest the bad-request code', () => {
    expect(summary(validateAgainstSchema(list, [], 50002))).toEqual([['', 'minItems', 51006]]);
    expect(summary(validateAgainstSchema(list, [1, 2, 3], 50002))).toEqual([['', 'maxItems', 51007]]);
    expect(summary(validateAgainstSchema(list, 'x', 50002))).toEqual([['', 'type', 50002]]);
  });

  it('gives a code to a missing required property from the object schema that requires it', () => {
    const schema = { type: 'object', required: ['a'], 'x-keyword-error-codes': { required: 51009 } };
    expect(summary(validateAgainstSchema(schema, {}, 50002))).toEqual([['a', 'required', 51009]]);
  });

  it('throws on a malformed x-keyword-error-codes rather than fall back silently', () => {
    expect(() => validateAgainstSchema({ type: 'array', 'x-keyword-error-codes': { minItem: 51006 } }, [], 50002)).toThrow(/minItem/);
    expect(() => validateAgainstSchema({ type: 'array', 'x-keyword-error-codes': { minItems: '51006' } }, [], 50002)).toThrow(/integer/);
    expect(() => validateAgainstSchema({ type: 'array', 'x-keyword-error-codes': [51006] }, [], 50002)).toThrow(/map keywords/);
  });

  it('still throws on an assertion keyword it does not enforce', () => {
    expect(() => validateAgainstSchema({ type: 'integer', multipleOf: 2 }, 4, 50002)).toThrow(/"multipleOf"/);
  });

  it('enforces pattern, which the answer schemas use (StandardMark)', () => {
    expect(validateAgainstSchema({ type: 'string', pattern: '^[01]+$' }, '101', 50002)).toEqual([]);
    expect(validateAgainstSchema({ type: 'string', pattern: '^[01]+$' }, '102', 50002)).toEqual([
      expect.objectContaining({ rule: 'pattern', message: 'the request body must match ^[01]+$, got "102"' }),
    ]);
  });

  it('uses a declared discriminator, and the const-tag inference when there is none', () => {
    const branches = [
      { type: 'object', required: ['kind', 'a'], properties: { kind: { const: 'x' }, a: { type: 'string' } } },
      { type: 'object', required: ['kind', 'b'], properties: { kind: { const: 'y' }, b: { type: 'string' } } },
    ];
    for (const schema of [{ oneOf: branches, discriminator: { propertyName: 'kind' } }, { oneOf: branches }]) {
      expect(validateAgainstSchema(schema, { kind: 'y', b: 'ok' }, 50002)).toEqual([]);
      expect(summary(validateAgainstSchema(schema, { kind: 'y', a: 'wrong' }, 50002))).toEqual([['b', 'required', 50002]]);
      expect(summary(validateAgainstSchema(schema, { kind: 'z' }, 50002))).toEqual([['kind', 'oneOf', 50002]]);
    }
  });

  it('tries every branch of a union without a tag, reporting the closest one or an ambiguity', () => {
    const schema = { oneOf: [{ type: 'string', maxLength: 2 }, { type: 'string', minLength: 1 }] };
    expect(summary(validateAgainstSchema(schema, 'abc', 50002))).toEqual([]);
    expect(summary(validateAgainstSchema(schema, 'ab', 50002))).toEqual([['', 'oneOf', 50002]]);
    expect(summary(validateAgainstSchema(schema, 3, 50002))).toEqual([['', 'type', 50002]]);
  });
});
