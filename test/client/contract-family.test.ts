/**
 * The typed client against the document for every operation of the family: Prism mocks the bundled spec (refusing
 * requests that break it), each named response example comes back through the client as the typed result it
 * stands for, and the paginators read the paging examples.
 */
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../generated/error-codes.js';
import type { OperationId } from '../../generated/operations.js';
import { itemFailures } from '../../src/item-results.js';
import { PaginationError, paginateContactGroups, paginateRecentContacts } from '../../src/paginate.js';
import { useContractMock } from '../support/contract-mock.js';
import { requestExamples, responseExamples, vendorSample } from '../support/spec-document.js';

const family: OperationId[] = [
  'createContactGroup',
  'updateContactGroup',
  'markContact',
  'searchContactGroup',
  'getContactGroup',
  'getRecentContactList',
  'deleteRecentContact',
];

const mock = useContractMock();

const requestCases = family.flatMap((operationId) =>
  requestExamples(operationId).map(([name, body]) => [`${operationId} ${name}`, operationId, body] as const),
);

describe('every request example of the family', () => {
  it.each(requestCases)('is sent by the client and accepted by the spec mock: %s', async (_case, operationId, body) => {
    mock.prefer = undefined;
    const refusalsBefore = mock.refusals();
    const result = await mock.chat.call(operationId, body as never);
    expect(mock.refusals()).toBe(refusalsBefore);
    expect(result.ok).toBe(true);
  });
});

const responseCases = family.flatMap((operationId) =>
  responseExamples(operationId).map(([name, body]) => [`${operationId} ${name}`, operationId, name, body] as const),
);

describe('every response example of the family', () => {
  it.each(responseCases)('comes back through the client as what it stands for: %s', async (_case, operationId, name, body) => {
    mock.prefer = `example=${name}`;
    const result = await mock.chat.call(operationId, vendorSample(operationId) as never);
    mock.prefer = undefined;
    if (body.ErrorCode === 0) {
      expect(result).toMatchObject({ ok: true, data: body, operationId });
      if (!result.ok) return;
      // A partial success is visible item by item; every other success has no failed item.
      const failures = itemFailures(result.data);
      if (name === 'partial-success') {
        expect(failures.length).toBeGreaterThan(0);
        for (const failure of failures) expect(failure).toMatchObject({ documented: true, ok: false });
      } else {
        expect(failures).toEqual([]);
      }
      return;
    }
    const info = errorCodes[body.ErrorCode as keyof typeof errorCodes];
    expect(info, `ErrorCode ${body.ErrorCode} is in the catalogue`).toBeDefined();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: 'api', code: body.ErrorCode, meaning: info.meaning, documented: true, operationId });
  });
});

describe('requests that break a documented limit', () => {
  const bob = { Type: 1, To_Account: 'bob' };
  const cases = [
    ['createContactGroup', 'two groups', { From_Account: 'a', GroupContactItem: [{ GroupName: 'x', ContactItem: [bob] }, { GroupName: 'y', ContactItem: [bob] }] }, 50002, '/v4/recentcontact/create_contact_group'],
    ['markContact', '101 mark items', { From_Account: 'a', MarkItem: Array.from({ length: 101 }, () => ({ OptType: 1, ContactItem: bob })) }, 51006, '/v4/recentcontact/mark_contact'],
    ['searchContactGroup', '301 conversations', { From_Account: 'a', ContactItem: Array.from({ length: 301 }, () => bob) }, 50002, '/v4/recentcontact/search_contact_group'],
    ['deleteRecentContact', 'a group conversation without ToGroupid', { From_Account: 'a', Type: 2, ToGroupId: '@TGS#1' }, 50002, '/v4/recentcontact/delete'],
  ] as const;

  it.each(cases)('%s with %s is refused by the client before sending, with the code the service would answer', async (operationId, _case, body, code) => {
    mock.sent.mockClear();
    const result = await mock.chat.call(operationId, body as never);
    expect(mock.sent).not.toHaveBeenCalled();
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: 'validation', code });
  });

  it.each(cases)('%s with %s is refused by the spec mock (422) when sent unchecked', async (_operationId, _case, body, _code, path) => {
    mock.prefer = undefined;
    const { response } = await mock.chat.raw.POST(path, { body: body as never });
    expect(response.status).toBe(422);
  });
});

describe('the paginators against the mock', () => {
  it('read a last page (the success example) in one call', async () => {
    mock.prefer = 'example=success';
    try {
      const groups = [];
      for await (const item of paginateContactGroups(mock.chat, 'user0')) groups.push(item);
      expect(groups).toHaveLength(2);
      const sessions = [];
      for await (const item of paginateRecentContacts(mock.chat, 'id1')) sessions.push(item);
      expect(sessions.map((item) => item.Type)).toEqual([1, 2, 1, 2]);
    } finally {
      mock.prefer = undefined;
    }
  });

  it('stop on a mock that always answers "more pages" with the same cursor, instead of looping', async () => {
    mock.prefer = 'example=more-pages';
    try {
      const read = async (iterator: AsyncIterable<unknown>) => {
        for await (const _ of iterator) {
          // drain
        }
      };
      await expect(read(paginateContactGroups(mock.chat, 'user0'))).rejects.toBeInstanceOf(PaginationError);
      await expect(read(paginateRecentContacts(mock.chat, 'id1'))).rejects.toMatchObject({ reason: 'no-progress' });
    } finally {
      mock.prefer = undefined;
    }
  });

  it('fail with the typed error of the failed page', async () => {
    mock.prefer = 'example=error-50001';
    try {
      const iterator = paginateContactGroups(mock.chat, 'nobody')[Symbol.asyncIterator]();
      await expect(iterator.next()).rejects.toMatchObject({ kind: 'api', code: 50001, operationId: 'getContactGroup' });
    } finally {
      mock.prefer = undefined;
    }
  });
});
