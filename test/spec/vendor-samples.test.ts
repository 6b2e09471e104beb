/**
 * Every sample of the vendor's pages for the eight operations (requests and answers, each revision found), with the
 * page it comes from. Each request passes the client's own check (`validateRequest`) and each answer the response
 * schema (Ajv, an independent validator): the contract never refuses what the vendor itself shows.
 *
 * Besides the samples, the bodies the vendor allows although no sample shows them (a rename carrying an empty
 * `ContactUpdateItem`, a conversation change without `OldGroupName`, an `OldGroupName` longer than a new name may
 * be) pass the validator, the sandbox over HTTP and Prism on the document.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperationId } from '../../generated/operations.js';
import type { CreateContactGroupRequest, UpdateContactGroupRequest } from '../../generated/types.js';
import { validateRequest } from '../../src/validate.js';
import { useContractMock } from '../support/contract-mock.js';
import { startSandboxStack, type SandboxStack } from '../support/sandbox-stack.js';
import { doc, specOperation } from '../support/spec-document.js';

interface VendorSample {
  readonly operationId: OperationId;
  /** The page id in `components.x-vendor-pages`. */
  readonly page: string;
  readonly request?: unknown;
  readonly response?: unknown;
  /** What the copy read did not show and the test filled in, when anything. */
  readonly completed?: string;
}

const samples: readonly VendorSample[] = [
  {
    operationId: 'createContactGroup',
    page: 'intl-53437-2023-04-01',
    request: { From_Account: 'user15', GroupContactItem: [{ GroupName: 'test0', ContactItem: [{ Type: 1, To_Account: 'user0' }] }] },
    response: {
      GroupResultItem: [{ GroupItem: { GroupName: 'test2', GroupId: 2 }, ResultItem: [{ ContactItem: { Type: 1, To_Account: 'user1' }, ResultCode: 0, ResultInfo: '' }] }],
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '',
    },
  },
  {
    operationId: 'createContactGroup',
    page: 'intl-53437-2026-04-14',
    request: {
      From_Account: 'user_0001',
      GroupContactItem: [{ GroupName: 'group_0001', ContactItem: [{ Type: 1, To_Account: 'user_0002' }, { Type: 2, ToGroupId: '@TGS#1B2AUI7RZ' }] }],
    },
    response: {
      GroupResultItem: [{
        GroupItem: { GroupName: 'group_0001', GroupId: 1 },
        ResultItem: [
          { ContactItem: { Type: 1, To_Account: 'user_0002' }, ResultCode: 0, ResultInfo: '' },
          { ContactItem: { Type: 2, ToGroupId: '@TGS#1B2AUI7RZ' }, ResultCode: 0, ResultInfo: '' },
        ],
      }],
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '',
    },
    completed: 'the copy read breaks off after the second ResultItem; the envelope is the success envelope of the older revision',
  },
  {
    operationId: 'updateContactGroup',
    page: 'intl-53439-2026-04-14',
    request: { From_Account: 'user_0001', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'group_0001', NewGroupName: 'group_0002' } },
  },
  {
    operationId: 'updateContactGroup',
    page: 'intl-53439-2026-04-14',
    request: {
      From_Account: 'user_0001', UpdateType: 1,
      UpdateGroup: {
        UpdateGroupType: 2, OldGroupName: 'group_0001',
        ContactUpdateItem: [
          { ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'user_0002' } },
          { ContactOptType: 2, ContactItem: { Type: 2, ToGroupId: '@TGS#1B2AUI7RZ' } },
        ],
      },
    },
  },
  {
    operationId: 'updateContactGroup',
    page: 'intl-53439-2023-04-01',
    request: {
      From_Account: 'user20', UpdateType: 1,
      UpdateGroup: { UpdateGroupType: 2, OldGroupName: 'test1', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'user1' } }] },
    },
    response: {
      UpdateType: 1,
      UpdateGroupResult: {
        UpdateGroupType: 2, GroupName: 'test1', GroupId: 1, OldGroupName: 'test1',
        ContactResultItem: [{ ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'user1' }, ResultCode: 0, ResultInfo: '' }],
      },
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '',
    },
  },
  {
    operationId: 'delContactGroup',
    page: 'intl-53441-2026-04-14',
    request: { From_Account: 'user_0001', GroupName: ['group_0001'] },
    response: { GroupItem: [{ GroupName: 'group_0001', GroupId: 1 }], ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' },
  },
  {
    operationId: 'markContact',
    page: 'intl-53438-2023-04-01',
    request: { From_Account: 'user0', MarkItem: [{ OptType: 3, ContactItem: { Type: 1, To_Account: 'user1' }, SetMark: [1, 2, 3], CustomMark: 'abcd' }] },
    response: {
      ResultItem: [{ OptType: 3, ContactItem: { Type: 1, To_Account: 'user1' }, ResultCode: 0, ResultInfo: '' }],
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '',
    },
  },
  {
    operationId: 'searchContactGroup',
    page: 'intl-53442-2023-04-01',
    request: { From_Account: 'yahaha', ContactItem: [{ Type: 1, To_Account: 'xixi' }] },
    response: {
      ContactResultItem: [
        { Type: 1, To_Account: 'xixi', StandardMark: '11111110', CustomMark: 'xxyyyzzzfffffffxxx111111', ContactGroupId: [1, 2], Timestamp: 1673500546 },
      ],
      GroupItem: [{ GroupName: 'test1x', GroupId: 1 }, { GroupName: 'test10', GroupId: 2 }],
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '',
    },
  },
  {
    operationId: 'getContactGroup',
    page: 'intl-53440-2023-04-01',
    request: { From_Account: 'user0', StartIndex: 0 },
    response: {
      ContactItem: [
        { Type: 1, To_Account: 'teacher4', StandardMark: '111001', ContactGroupId: [1, 2], Timestamp: 1670843110 },
        { Type: 2, ToGroupId: '@TGS#1N3RSUYG2', StandardMark: '111001', CustomMark: 'abcd', Timestamp: 1672998266 },
      ],
      GroupItem: [{ GroupName: 'test1x', GroupId: 1 }, { GroupName: 'test10', GroupId: 2 }],
      CompleteFlag: 1, NextStartIndex: 0, ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '',
    },
  },
  {
    operationId: 'getRecentContactList',
    page: 'intl-43087-2026-04-07',
    request: { From_Account: 'user_0001', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 63 },
    response: {
      SessionItem: [
        { Type: 1, To_Account: 'user_0002', MsgTime: 1772612017, TopFlag: 0 },
        { Type: 2, GroupId: '@TGS#1B2AUI7RZ', MsgTime: 1775185968, TopFlag: 0, StandardMark: '111001', CustomMark: 'abcd', ContactGroupId: [1, 2] },
        { Type: 1, To_Account: 'user_0003', MsgTime: 1772605020, TopFlag: 1, StandardMark: '111001', CustomMark: 'abcd', ContactGroupId: [1] },
      ],
      CompleteFlag: 1, TimeStamp: 1775552160, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0,
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '',
    },
    completed: 'the copy read ends after TimeStamp: StartIndex, TopTimeStamp, TopStartIndex and the envelope are filled in',
  },
  {
    operationId: 'getRecentContactList',
    page: 'intl-43087-2023-04-01',
    request: { From_Account: 'id1', TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 7 },
    response: {
      SessionItem: [
        { Type: 1, To_Account: 'id2', MsgTime: 1630997627, TopFlag: 1 },
        { Type: 2, GroupId: 'id3', MsgTime: 1630997628, TopFlag: 1 },
        { Type: 1, To_Account: 'id4', MsgTime: 1630997630, TopFlag: 0 },
        { Type: 2, GroupId: 'id5', MsgTime: 1630997650, TopFlag: 0 },
      ],
      CompleteFlag: 1, TimeStamp: 1631012800, StartIndex: 0, TopTimeStamp: 1631012800, TopStartIndex: 0,
      ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '',
    },
  },
  {
    operationId: 'deleteRecentContact',
    page: 'intl-43088-2023-04-01',
    request: { From_Account: 'id1', Type: 1, To_Account: 'id2', ClearRamble: 1 },
    response: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', ErrorDisplay: '' },
  },
  { operationId: 'deleteRecentContact', page: 'intl-43088-2023-04-01', request: { From_Account: 'id1', Type: 2, ToGroupid: 'id2', ClearRamble: 1 } },
];

const ajv = new Ajv2020({ strict: false, allErrors: true });
const base = 'https://spec.test/openapi.json';
ajv.addSchema({ ...doc, $id: base });
function responseValidator(operationId: OperationId) {
  const ref = specOperation(operationId).responses['200']?.content?.['application/json'].schema.$ref ?? '';
  const validate = ajv.getSchema(`${base}${ref}`);
  if (validate === undefined) throw new Error(`no schema at ${ref}`);
  return validate;
}
const registry = (doc.components as unknown as { 'x-vendor-pages': Record<string, unknown> })['x-vendor-pages'];

describe("the vendor's samples", () => {
  it('cover all eight operations, each naming a page of the registry', () => {
    expect(new Set(samples.map((sample) => sample.operationId)).size).toBe(8);
    expect(samples.filter((sample) => !(sample.page in registry)).map((sample) => sample.page)).toEqual([]);
  });

  it.each(samples.filter((sample) => sample.request !== undefined).map((sample) => [sample.operationId, sample.page, sample] as const))(
    '%s: the request of %s passes the client\'s own check',
    (operationId, _page, sample) => {
      expect(validateRequest(operationId, sample.request)).toEqual([]);
    },
  );

  it.each(samples.filter((sample) => sample.response !== undefined).map((sample) => [sample.operationId, sample.page, sample] as const))(
    '%s: the answer of %s passes the response schema',
    (operationId, _page, sample) => {
      const validate = responseValidator(operationId);
      expect(validate(sample.response), JSON.stringify(validate.errors)).toBe(true);
    },
  );
});

/** Bodies the vendor's pages allow and no sample shows; `alice` has the group `work` in the sandbox's default data. */
const allowedUpdates: readonly [string, UpdateContactGroupRequest][] = [
  ['a rename carrying an empty ContactUpdateItem (what the Rust peer sends)', {
    From_Account: 'alice', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'work', NewGroupName: 'office', ContactUpdateItem: [] },
  }],
  ['a conversation change without ContactUpdateItem (marked optional)', {
    From_Account: 'alice', UpdateType: 1, UpdateGroup: { UpdateGroupType: 2, OldGroupName: 'family' },
  }],
  ['a conversation change without OldGroupName (required only for a rename)', {
    From_Account: 'alice', UpdateType: 1, UpdateGroup: { UpdateGroupType: 2, ContactUpdateItem: [{ ContactOptType: 1, ContactItem: { Type: 1, To_Account: 'bob' } }] },
  }],
  ['an OldGroupName over 32 bytes (the vendor gives it no limit)', {
    From_Account: 'alice', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'g'.repeat(40), NewGroupName: 'short' },
  }],
];

/** Creates the newest create page (2026-04-14) allows: `ContactItem` optional, names up to 64 bytes. */
const allowedCreates: readonly [string, CreateContactGroupRequest][] = [
  ['a create without ContactItem (optional on the 2026 page)', { From_Account: 'alice', GroupContactItem: [{ GroupName: 'no-list' }] }],
  ['a create with an empty ContactItem', { From_Account: 'alice', GroupContactItem: [{ GroupName: 'empty-list', ContactItem: [] }] }],
  ['a group name of 64 bytes (the 2026 limit; 32 before)', { From_Account: 'bob', GroupContactItem: [{ GroupName: '名'.repeat(21) + 'x' }] }],
];

describe('bodies the vendor allows', () => {
  it.each(allowedUpdates)('pass the client\'s own check: %s', (_case, body) => {
    expect(validateRequest('updateContactGroup', body)).toEqual([]);
  });

  it.each(allowedCreates)('pass the client\'s own check: %s', (_case, body) => {
    expect(validateRequest('createContactGroup', body)).toEqual([]);
  });

  it('refuse a create with more than 100 conversations or a name of 65 bytes, the limits of the 2026 page', () => {
    const contacts = Array.from({ length: 101 }, (_, index) => ({ Type: 1 as const, To_Account: `user${index}` }));
    expect(validateRequest('createContactGroup', { From_Account: 'alice', GroupContactItem: [{ GroupName: 'big', ContactItem: contacts }] })).not.toEqual([]);
    expect(validateRequest('createContactGroup', { From_Account: 'alice', GroupContactItem: [{ GroupName: 'x'.repeat(65) }] }).map((v) => v.errorCode)).toEqual([51011]);
  });

  describe('through the sandbox behind Prism (validating proxy)', () => {
    let stack: SandboxStack | undefined;
    beforeAll(async () => {
      stack = await startSandboxStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it.each(allowedUpdates)('reach the sandbox, which answers in the documented shape: %s', async (_case, body) => {
      const result = await stack!.client().updateContactGroup(body);
      expect(result.ok || result.error.kind !== 'validation' ? 'sent' : 'refused').toBe('sent');
      expect(stack!.headerViolations).toEqual([]);
    });

    it.each(allowedCreates)('create the group in the sandbox: %s', async (_case, body) => {
      const result = await stack!.client().createContactGroup(body);
      expect(result.ok && result.data.GroupResultItem?.[0]?.GroupItem?.GroupName).toBe(body.GroupContactItem[0]?.GroupName);
      expect(stack!.headerViolations).toEqual([]);
    });

    it('answers a rename with an empty ContactUpdateItem by renaming, and a change without OldGroupName with 51009 (no group named)', async () => {
      const api = stack!.directClient();
      const renamed = await api.updateContactGroup({
        From_Account: 'bob', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'friends', NewGroupName: 'pals', ContactUpdateItem: [] },
      });
      expect(renamed.ok && renamed.data.UpdateGroupResult?.GroupName).toBe('pals');
      const unnamed = await api.updateContactGroup({ From_Account: 'bob', UpdateType: 1, UpdateGroup: { UpdateGroupType: 2 } });
      expect(!unnamed.ok && unnamed.error.code).toBe(51009);
    });
  });

  describe('against Prism mocking the document', () => {
    const mock = useContractMock();
    it.each(allowedCreates)('are not refused by Prism: %s', async (_case, body) => {
      const before = mock.refusals();
      const result = await mock.chat.createContactGroup(body);
      expect(result.ok).toBe(true);
      expect(mock.refusals()).toBe(before);
    });

    it.each(allowedUpdates)('are not refused by Prism: %s', async (_case, body) => {
      const before = mock.refusals();
      const result = await mock.chat.updateContactGroup(body);
      expect(result.ok).toBe(true);
      expect(mock.refusals()).toBe(before);
    });
  });
});
