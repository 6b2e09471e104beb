/**
 * The document's description of the recentcontact family: the vendor's published samples and every named example
 * validate against the schemas (Ajv, as an independent validator), samples that break a documented limit do not,
 * and each operation carries the facts the client, the sandbox and the docs read.
 */
// The named export: under NodeNext the default import of this CommonJS module is typed as the module object.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { errorCodes, operationErrorCodes } from '../../generated/error-codes.js';
import { operations, type OperationId } from '../../generated/operations.js';
import { validateRequest } from '../../src/validate.js';
import { doc, requestExamples, responseExamples, specOperation as operation } from '../support/spec-document.js';

const family = {
  createContactGroup: 'create_contact_group',
  updateContactGroup: 'update_contact_group',
  markContact: 'mark_contact',
  searchContactGroup: 'search_contact_group',
  getContactGroup: 'get_contact_group',
  getRecentContactList: 'get_list',
  deleteRecentContact: 'delete',
} as const satisfies Partial<Record<OperationId, string>>;
type FamilyOperation = keyof typeof family;
const familyIds = Object.keys(family) as FamilyOperation[];
const batchOperations: FamilyOperation[] = ['createContactGroup', 'updateContactGroup', 'markContact'];
const groupAndMarkCodes = [50001, 50002, 50003, 50004, 50005, 51006, 51007, 51008, 51009, 51010, 51011, 51012, 51013];

const ajv = new Ajv2020({ strict: false, allErrors: true });
const base = 'https://spec.test/openapi.json';
ajv.addSchema({ ...doc, $id: base });
function validator(ref: string) {
  const validate = ajv.getSchema(`${base}${ref}`);
  if (validate === undefined) throw new Error(`no schema at ${ref}`);
  return validate;
}
const requestValidator = (operationId: FamilyOperation) => validator(operation(operationId).requestBody.content['application/json'].schema.$ref);
const responseValidator = (operationId: FamilyOperation) =>
  validator(operation(operationId).responses['200']?.content?.['application/json'].schema.$ref ?? '');

/** The samples of the vendor's pages (international edition, 2023; get_list's newest request first), as published. */
const vendorSamples: Record<FamilyOperation, { request: unknown[]; response: unknown }> = {
  createContactGroup: {
    request: [
      // 2026-04-14, then 2023.
      {
        From_Account: 'user_0001',
        GroupContactItem: [{ GroupName: 'group_0001', ContactItem: [{ Type: 1, To_Account: 'user_0002' }, { Type: 2, ToGroupId: '@TGS#1B2AUI7RZ' }] }],
      },
      { From_Account: 'user15', GroupContactItem: [{ GroupName: 'test0', ContactItem: [{ Type: 1, To_Account: 'user0' }] }] },
    ],
    response: {
      GroupResultItem: [{ GroupItem: { GroupName: 'test2', GroupId: 2 }, ResultItem: [{ ContactItem: { Type: 1, To_Account: 'user1' }, ResultCode: 0, ResultInfo: '' }] }],
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    },
  },
  updateContactGroup: {
    request: [
      {
        From_Account: 'user_0001',
        UpdateType: 1,
        UpdateGroup: {
          UpdateGroupType: 2,
          OldGroupName: 'group_0001',
          ContactUpdateItem: [
            { ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'user_0002' } },
            { ContactOptType: 2, ContactItem: { Type: 2, ToGroupId: '@TGS#1B2AUI7RZ' } },
          ],
        },
      },
      {
        From_Account: 'user20',
        UpdateType: 1,
        UpdateGroup: { UpdateGroupType: 2, OldGroupName: 'test1', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'user1' } }] },
      },
    ],
    response: {
      UpdateType: 1,
      UpdateGroupResult: {
        UpdateGroupType: 2,
        GroupName: 'test1',
        GroupId: 1,
        OldGroupName: 'test1',
        ContactResultItem: [{ ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'user1' }, ResultCode: 0, ResultInfo: '' }],
      },
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
    },
  },
  markContact: {
    request: [{ From_Account: 'user0', MarkItem: [{ OptType: 3, ContactItem: { Type: 1, To_Account: 'user1' }, SetMark: [1, 2, 3], CustomMark: 'abcd' }] }],
    response: {
      ResultItem: [{ OptType: 3, ContactItem: { Type: 1, To_Account: 'user1' }, ResultCode: 0, ResultInfo: '' }],
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    },
  },
  searchContactGroup: {
    request: [{ From_Account: 'yahaha', ContactItem: [{ Type: 1, To_Account: 'xixi' }] }],
    response: {
      ContactResultItem: [
        { Type: 1, To_Account: 'xixi', StandardMark: '11111110', CustomMark: 'xxyyyzzzfffffffxxx111111', ContactGroupId: [1, 2], Timestamp: 1673500546 },
      ],
      GroupItem: [
        { GroupName: 'test1x', GroupId: 1 },
        { GroupName: 'test10', GroupId: 2 },
      ],
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    },
  },
  getContactGroup: {
    request: [{ From_Account: 'user0', StartIndex: 0 }],
    response: {
      ContactItem: [
        { Type: 1, To_Account: 'teacher4', StandardMark: '111001', ContactGroupId: [1, 2], Timestamp: 1670843110 },
        { Type: 2, ToGroupId: '@TGS#1N3RSUYG2', StandardMark: '111001', CustomMark: 'abcd', Timestamp: 1672998266 },
      ],
      GroupItem: [
        { GroupName: 'test1x', GroupId: 1 },
        { GroupName: 'test10', GroupId: 2 },
      ],
      CompleteFlag: 1,
      NextStartIndex: 0,
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
    },
  },
  getRecentContactList: {
    request: [
      { From_Account: 'user_0001', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 63 },
      { From_Account: 'id1', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 7 },
    ],
    response: {
      SessionItem: [
        { Type: 1, To_Account: 'id2', MsgTime: 1630997627, TopFlag: 1 },
        { Type: 2, GroupId: 'id3', MsgTime: 1630997628, TopFlag: 1 },
        { Type: 1, To_Account: 'id4', MsgTime: 1630997630, TopFlag: 0 },
        { Type: 2, GroupId: 'id5', MsgTime: 1630997650, TopFlag: 0 },
      ],
      CompleteFlag: 1,
      TimeStamp: 1631012800,
      StartIndex: 0,
      TopTimeStamp: 1631012800,
      TopStartIndex: 0,
      ActionStatus: 'OK',
      ErrorCode: 0,
      ErrorInfo: '',
      ErrorDisplay: '',
    },
  },
  deleteRecentContact: {
    request: [
      { From_Account: 'id1', Type: 1, To_Account: 'id2', ClearRamble: 1 },
      { From_Account: 'id1', Type: 2, ToGroupid: 'id2', ClearRamble: 1 },
    ],
    response: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '' },
  },
};

describe.each(familyIds)('%s', (operationId) => {
  const op = operation(operationId);
  const validateBody = requestValidator(operationId);
  const validateAnswer = responseValidator(operationId);

  it("is the vendor's command with its page, rate limit, bad-request code and error codes", () => {
    expect(op['x-vendor-command']).toBe(family[operationId]);
    expect(operations[operationId].path).toBe(`/v4/recentcontact/${family[operationId]}`);
    expect(op['x-vendor-page']).toMatch(/page 1047\/\d+/);
    expect(op['x-rate-limit']).toEqual({ calls: 200, perSeconds: 1 });
    expect(op['x-bad-request-error-code']).toBe(50002);
    const expected = operationId === 'getRecentContactList' || operationId === 'deleteRecentContact' ? groupAndMarkCodes.slice(0, 5) : groupAndMarkCodes;
    expect([...operationErrorCodes[operationId]]).toEqual(expected);
    for (const code of expected) expect(errorCodes[code as keyof typeof errorCodes].scope).toBe('operation');
  });

  it("accepts the vendor's sample requests (Ajv and validateRequest) and names the first vendor-sample", () => {
    for (const sample of vendorSamples[operationId].request) {
      expect(validateBody(sample), JSON.stringify(validateBody.errors)).toBe(true);
      expect(validateRequest(operationId, sample)).toEqual([]);
    }
    const [first] = requestExamples(operationId);
    expect(first).toEqual(['vendor-sample', vendorSamples[operationId].request[0]]);
  });

  it("accepts the vendor's sample response, which is the success example", () => {
    const sample = vendorSamples[operationId].response;
    expect(validateAnswer(sample), JSON.stringify(validateAnswer.errors)).toBe(true);
    expect(Object.fromEntries(responseExamples(operationId))['success']).toEqual(sample);
  });

  it('validates every request and response example against its schema', () => {
    for (const [name, body] of requestExamples(operationId)) {
      expect(validateBody(body), `${name}: ${JSON.stringify(validateBody.errors)}`).toBe(true);
      expect(validateRequest(operationId, body), name).toEqual([]);
    }
    for (const [name, body] of responseExamples(operationId)) {
      expect(validateAnswer(body), `${name}: ${JSON.stringify(validateAnswer.errors)}`).toBe(true);
    }
  });

  it('names an example for success, for each own code, and a partial success for batch operations', () => {
    const examples = Object.fromEntries(responseExamples(operationId));
    const names = Object.keys(examples);
    expect(names).toContain('success');
    for (const code of op['x-error-codes']) {
      expect(examples[`error-${code}`]).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: code });
    }
    expect(names.filter((name) => name.startsWith('error-'))).toHaveLength(op['x-error-codes'].length);
    if (batchOperations.includes(operationId)) {
      const partial = examples['partial-success'];
      expect(partial).toMatchObject({ ActionStatus: 'OK', ErrorCode: 0 });
      expect(JSON.stringify(partial)).toMatch(/"ResultCode":[1-9]/);
    } else {
      expect(names).not.toContain('partial-success');
    }
  });
});

describe('documented limits, as schema violations (Ajv) and as validateRequest codes', () => {
  const bob = { Type: 1, To_Account: 'bob' };
  const many = (count: number, make: (index: number) => unknown) => Array.from({ length: count }, (_, index) => make(index));
  it.each([
    ['createContactGroup', 'two groups per call', { From_Account: 'a', GroupContactItem: [{ GroupName: 'x', ContactItem: [bob] }, { GroupName: 'y', ContactItem: [bob] }] }, 'maxItems', 50002],
    ['createContactGroup', 'more than 100 conversations (the 2026 page)', { From_Account: 'a', GroupContactItem: [{ GroupName: 'x', ContactItem: many(101, (i) => ({ Type: 1, To_Account: `u${i}` })) }] }, 'maxItems', 50002],
    ['createContactGroup', 'a group conversation without ToGroupId', { From_Account: 'a', GroupContactItem: [{ GroupName: 'x', ContactItem: [{ Type: 2, To_Account: 'bob' }] }] }, 'required', 50002],
    ['updateContactGroup', 'a rename without NewGroupName', { From_Account: 'a', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'x' } }, 'required', 50002],
    ['updateContactGroup', 'a rename that also changes conversations', { From_Account: 'a', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'x', NewGroupName: 'y', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: bob }] } }, 'maxItems', 50002],
    ['markContact', 'no mark item', { From_Account: 'a', MarkItem: [] }, 'minItems', 51006],
    ['markContact', 'more than 100 mark items', { From_Account: 'a', MarkItem: many(101, () => ({ OptType: 1, ContactItem: bob })) }, 'maxItems', 51006],
    ['markContact', 'a mark bit over 64', { From_Account: 'a', MarkItem: [{ OptType: 1, ContactItem: bob, SetMark: [65] }] }, 'maximum', 50002],
    ['markContact', 'a custom mark over 256 characters', { From_Account: 'a', MarkItem: [{ OptType: 2, ContactItem: bob, CustomMark: 'x'.repeat(257) }] }, 'x-max-bytes', 50002],
    ['searchContactGroup', 'more than 300 conversations', { From_Account: 'a', ContactItem: many(301, () => bob) }, 'maxItems', 50002],
    ['getContactGroup', 'a negative StartIndex', { From_Account: 'a', StartIndex: -1 }, 'minimum', 50002],
    ['getRecentContactList', 'a missing cursor field', { From_Account: 'a', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, AssistFlags: 7 }, 'required', 50002],
    ['deleteRecentContact', 'a group conversation named ToGroupId', { From_Account: 'a', Type: 2, ToGroupId: '@TGS#1' }, 'required', 50002],
  ] as const)('%s: %s', (operationId, _case, body, rule, code) => {
    const validate = requestValidator(operationId);
    expect(validate(body)).toBe(false);
    const violations = validateRequest(operationId, body);
    expect(violations.map((violation) => [violation.rule, violation.errorCode])).toContainEqual([rule, code]);
  });

  it('byte limits pass the character bounds of the schema but not validateRequest, which gives their codes', () => {
    const name = 'é'.repeat(33); // 66 bytes, 33 characters
    const create = { From_Account: 'a', GroupContactItem: [{ GroupName: name, ContactItem: [bob] }] };
    expect(requestValidator('createContactGroup')(create)).toBe(true);
    expect(validateRequest('createContactGroup', create)).toEqual([expect.objectContaining({ rule: 'x-max-bytes', errorCode: 51011, byteLength: 66 })]);
    const mark = { From_Account: 'a', MarkItem: [{ OptType: 2, ContactItem: bob, CustomMark: 'é'.repeat(129) }] };
    expect(requestValidator('markContact')(mark)).toBe(true);
    expect(validateRequest('markContact', mark)).toEqual([expect.objectContaining({ rule: 'x-max-bytes', errorCode: 50002, byteLength: 258 })]);
  });
});

describe('family facts', () => {
  it('tags group, mark and recent-contact operations, each tag with a description', () => {
    expect(doc.tags.map((tag) => tag.name)).toEqual(['Conversation groups', 'Conversation marks', 'Recent contacts']);
    for (const tag of doc.tags) expect(tag.description.length).toBeGreaterThan(50);
    expect(operation('markContact').tags).toEqual(['Conversation marks']);
    expect(operation('getRecentContactList').tags).toEqual(['Recent contacts']);
    expect(operation('deleteRecentContact').tags).toEqual(['Recent contacts']);
  });

  it('records the family limits on the operations that change the data', () => {
    expect(operation('createContactGroup')).toMatchObject({ 'x-max-groups-per-user': 20, 'x-max-grouped-conversations': 1000 });
    expect(operation('updateContactGroup')).toMatchObject({ 'x-max-grouped-conversations': 1000 });
    expect(operation('markContact')).toMatchObject({ 'x-max-marked-conversations': 1000 });
  });

  it('writes the bit-order assumption of StandardMark into the schema', () => {
    expect(JSON.stringify(doc.components.schemas['StandardMark'])).toContain('last** character is bit 1');
  });
});
