/**
 * Every operation that changes something, against the sandbox over HTTP, with its first answer lost after the
 * sandbox carried the request out (the fault `afterProcessing`): the retry meets what the first attempt did. An
 * operation whose `x-already-done-answers` explains that answer ends `unclear`; an idempotent one just succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operations, type OperationId } from '../../generated/operations.js';
import type { RequestBody } from '../../src/client/bodies.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import { UnclearOutcomeError } from '../../src/errors.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';

const ADMIN = 'administrator';
const fixture: Fixture = {
  sdkAppId: 1400000000,
  admins: [ADMIN],
  edition: 'ultimate',
  users: {
    u: {
      groups: { old: [{ Type: 1, To_Account: ADMIN }], members: [], doomed: [] },
      recent: [{ Type: 1, To_Account: ADMIN, MsgTime: 1_700_000_000 }],
    },
  },
};

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, allowFaults: true, rateLimit: 'off', fixture });
});
afterAll(() => sandbox.close());

function chat() {
  return createChatGroupsClient({ sdkAppId: fixture.sdkAppId, identifier: ADMIN, secretKey: DEVELOPMENT_SECRET_KEY, baseUrl: sandbox.url, retry: { baseDelayMs: 1, maxDelayMs: 1 } });
}

/** The next call of `operationId` is carried out, then its answer is lost the given way. */
async function loseNextAnswer(operationId: OperationId, how: { drop: true } | { httpStatus: number }): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ operation: operationId, afterProcessing: true, ...how }) });
  expect(response.status).toBe(201);
}

const member = { Type: 1, To_Account: ADMIN } as const;

/** A request per operation that changes state, so each case stands on its own. */
const changes = {
  createContactGroup: { From_Account: 'u', GroupContactItem: [{ GroupName: 'new', ContactItem: [member] }] },
  rename: { From_Account: 'u', UpdateType: 1, UpdateGroup: { UpdateGroupType: 1, OldGroupName: 'old', NewGroupName: 'renamed' } },
  membership: { From_Account: 'u', UpdateType: 1, UpdateGroup: { UpdateGroupType: 2, OldGroupName: 'members', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: member }] } },
  delContactGroup: { From_Account: 'u', GroupName: ['doomed'] },
  markContact: { From_Account: 'u', MarkItem: [{ OptType: 1, ContactItem: member, SetMark: [1] }] },
  deleteRecentContact: { From_Account: 'u', Type: 1, To_Account: ADMIN },
} as const;

const unclearCases = [
  ['createContactGroup', changes.createContactGroup, 'createContactGroup', { drop: true }, 'may have been created'],
  ['updateContactGroup (a rename)', changes.rename, 'updateContactGroup', { httpStatus: 502 }, 'may have been renamed'],
  ['delContactGroup', changes.delContactGroup, 'delContactGroup', { drop: true }, 'may have been deleted'],
] as const;

const idempotentCases = [
  ['updateContactGroup (a change of membership)', changes.membership, 'updateContactGroup', { httpStatus: 502 }],
  ['markContact', changes.markContact, 'markContact', { drop: true }],
  ['deleteRecentContact', changes.deleteRecentContact, 'deleteRecentContact', { httpStatus: 502 }],
] as const;

describe('an answer lost after the service acted', () => {
  // Sequential: a fault applies to the next call of its operation, whichever client makes it.
  it.each(unclearCases)('%s ends unclear when the retry meets what the first attempt did', async (_name, body, operationId, how, effect) => {
    await loseNextAnswer(operationId, how);
    const result = await chat().call(operationId, body as RequestBody<typeof operationId>);
    expect(result.attempts.map((attempt) => attempt.outcome.kind)).toEqual(['network', 'api']);
    const error = result.ok ? undefined : result.error;
    expect(error).toBeInstanceOf(UnclearOutcomeError);
    const [answer] = operations[operationId].alreadyDoneAnswers;
    expect(error).toMatchObject({ kind: 'unclear', code: answer?.code, possibleEffect: expect.stringContaining(effect) as unknown });
  });

  it.each(idempotentCases)('%s, which is idempotent, simply succeeds on the retry', async (_name, body, operationId, how) => {
    await loseNextAnswer(operationId, how);
    const result = await chat().call(operationId, body as RequestBody<typeof operationId>);
    expect(result.attempts.map((attempt) => attempt.outcome.kind)).toEqual(['network', 'ok']);
    expect(result).toMatchObject({ ok: true, partial: false });
  });

  it('covers every operation that lists an already-done answer, and only the reads and idempotent ones list none', () => {
    const listing = (Object.keys(operations) as OperationId[]).filter((operationId) => operations[operationId].alreadyDoneAnswers.length > 0);
    expect(listing.sort()).toEqual([...new Set(unclearCases.map(([, , operationId]) => operationId))].sort());
  });

  it('keeps a plain failure plain when no attempt went unanswered', async () => {
    const result = await chat().call('delContactGroup', { From_Account: 'u', GroupName: ['absent'] });
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: 'api', code: 51009 });
  });

  it('does not read a membership change answered "no such group" after a lost answer as done earlier', async () => {
    await loseNextAnswer('updateContactGroup', { drop: true });
    const body = { From_Account: 'u', UpdateType: 1, UpdateGroup: { UpdateGroupType: 2, OldGroupName: 'absent', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: member }] } } as const;
    const result = await chat().call('updateContactGroup', body as unknown as RequestBody<'updateContactGroup'>);
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: 'api', code: 51009 });
  });
});
