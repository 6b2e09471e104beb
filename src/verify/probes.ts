/**
 * The probes of the inferred rules, keyed by the id the document names in `x-source` (`probe: <id>`). Each one
 * tests its rule with requests that touch only what the run made (groups named with the run id) or what the cleanup
 * restores (the marks of the owner's conversation with the peer), and says held, contradicted (with the calls) or
 * not probed (when a call it needs first did not succeed). A test keeps this table and the document in step.
 */
import { errorCodes } from '../../generated/error-codes.js';
import { operations, type OperationId } from '../../generated/operations.js';
import { customerMarkBit } from '../marks.js';
import { validateRequest } from '../validate.js';
import type { CheckStatus } from './checks.js';
import type { ContractRun } from './contract-run.js';
import { describeOutcome, succeeded, type Exchange } from './exchange.js';
import { itemFor, marksOf } from './reads.js';

export interface ProbeOutcome {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly calls: readonly Exchange[];
}

export interface Probe {
  /** The operation the probe calls to test the rule. */
  readonly operation: OperationId;
  /** What it does, for the plan printed before the run. */
  readonly plan: string;
  /** Set for a probe that must be asked for by name, with the flag that asks for it. */
  readonly optIn?: 'probe-rate-limit';
  run(run: ContractRun): Promise<ProbeOutcome>;
}

/** A three-byte character: byte limits are probed with multi-byte text, where bytes and characters differ. */
const WIDE = '群';

/** `start` followed by three-byte characters and ASCII up to exactly `bytes` UTF-8 bytes. */
export function textOfBytes(start: string, bytes: number): string {
  const room = bytes - Buffer.byteLength(start);
  if (room < 0) throw new RangeError(`"${start}" is already longer than ${bytes} bytes`);
  return start + WIDE.repeat(Math.floor(room / 3)) + 'x'.repeat(room % 3);
}

const createName = operations.createContactGroup.requestSchema.properties.GroupContactItem.items.properties.GroupName;
const deleteName = operations.delContactGroup.requestSchema.properties.GroupName.items;
const customMark = operations.markContact.requestSchema.properties.MarkItem.items.properties.CustomMark;

/** The ErrorCode the document says the service answers for `body`, from the same checks the client runs. */
function documentedRefusal(operationId: OperationId, body: Readonly<Record<string, unknown>>): number {
  const [first] = validateRequest(operationId, body);
  if (first === undefined) throw new Error(`the probe meant ${operationId} to break a rule, but the document accepts the request`);
  return first.errorCode;
}

const held = (detail: string, calls: readonly Exchange[]): ProbeOutcome => ({ status: 'held', detail, calls });
const contradicted = (detail: string, calls: readonly Exchange[]): ProbeOutcome => ({ status: 'contradicted', detail, calls });
/** A call the probe needs first did not succeed, so the rule could not be tested. */
const setupFailed = (what: string, call: Exchange): ProbeOutcome => ({
  status: 'not-probed',
  detail: `${what} answered ${describeOutcome(call)}, so the rule could not be tested`,
  calls: [call],
});

function createBody(run: ContractRun, name: string): Record<string, unknown> {
  return { From_Account: run.owner, GroupContactItem: [{ GroupName: name, ContactItem: [run.peerConversation] }] };
}

function markBody(run: ContractRun, item: Record<string, unknown>): Record<string, unknown> {
  return { From_Account: run.owner, MarkItem: [{ ContactItem: run.peerConversation, ...item }] };
}

function membershipBody(run: ContractRun, group: string, optType: number, conversation: unknown): Record<string, unknown> {
  return {
    From_Account: run.owner,
    UpdateType: 1,
    UpdateGroup: { UpdateGroupType: 2, OldGroupName: group, ContactUpdateItem: [{ ContactOptType: optType, ContactItem: conversation }] },
  };
}

/** The per-item ResultCodes of a batch answer (create, update, mark). */
function resultCodes(call: Exchange): number[] {
  const answer = call.answer as Record<string, unknown> | undefined;
  const items =
    (answer?.['ResultItem'] as unknown[] | undefined) ??
    ((answer?.['UpdateGroupResult'] as Record<string, unknown> | undefined)?.['ContactResultItem'] as unknown[] | undefined) ??
    ((answer?.['GroupResultItem'] as Record<string, unknown>[] | undefined)?.[0]?.['ResultItem'] as unknown[] | undefined) ??
    [];
  return items.map((item) => (item as { ResultCode?: number }).ResultCode ?? Number.NaN);
}

function fullSuccess(call: Exchange): boolean {
  return succeeded(call) && resultCodes(call).every((code) => code === 0);
}

/** Sends a request the document refuses by its byte limit and one at the limit; `accepted` judges the latter. */
async function byteBoundary(
  run: ContractRun,
  operationId: OperationId,
  limit: number,
  body: (text: string) => Record<string, unknown>,
  start: string,
  accepted: (call: Exchange, refusal: number) => boolean,
): Promise<ProbeOutcome> {
  const atLimit = await run.send(operationId, body(textOfBytes(`${start}a`, limit)));
  const overBody = body(textOfBytes(`${start}b`, limit + 1));
  const refusal = documentedRefusal(operationId, overBody);
  const over = await run.send(operationId, overBody);
  const calls = [atLimit, over];
  if (!accepted(atLimit, refusal)) {
    if (atLimit.errorCode === refusal) return contradicted(`${limit} bytes were refused with ${describeOutcome(atLimit)}`, calls);
    return setupFailed(`the call at ${limit} bytes`, atLimit);
  }
  if (over.errorCode !== refusal) return contradicted(`${limit + 1} bytes: expected ErrorCode ${refusal}, got ${describeOutcome(over)}`, calls);
  return held(`${limit} bytes passed the length check (${describeOutcome(atLimit)}), ${limit + 1} bytes were refused with ErrorCode ${refusal}`, calls);
}

export const probes: Readonly<Record<string, Probe>> = {
  'group-name-bytes': {
    operation: 'createContactGroup',
    plan: `create a group named with exactly ${createName['x-max-bytes']} UTF-8 bytes (three-byte characters and ASCII), then one with ${createName['x-max-bytes'] + 1}`,
    run: (run) => byteBoundary(run, 'createContactGroup', createName['x-max-bytes'], (name) => createBody(run, name), run.name(''), (call) => fullSuccess(call)),
  },
  'delete-name-bytes': {
    operation: 'delContactGroup',
    plan: `delete groups (that never existed) named with ${deleteName['x-max-bytes']} and ${deleteName['x-max-bytes'] + 1} UTF-8 bytes: only the longer one may be refused for its length`,
    run: (run) =>
      byteBoundary(
        run,
        'delContactGroup',
        deleteName['x-max-bytes'],
        (name) => ({ From_Account: run.owner, GroupName: [name] }),
        run.name(''),
        // No such group exists, so any answer but the length refusal shows the name passed the length check.
        (call, refusal) => call.errorCode !== undefined && call.errorCode !== refusal,
      ),
  },
  'custom-mark-bytes': {
    operation: 'markContact',
    plan: `set a custom mark of exactly ${customMark['x-max-bytes']} UTF-8 bytes on the conversation with the peer, then one of ${customMark['x-max-bytes'] + 1}`,
    run: (run) =>
      byteBoundary(run, 'markContact', customMark['x-max-bytes'], (text) => markBody(run, { OptType: 2, CustomMark: text }), run.name(''), (call) => fullSuccess(call)),
  },
  'custom-mark-empty-clears': {
    operation: 'markContact',
    plan: 'set a custom mark on the conversation with the peer, set it to the empty string, and read it back',
    async run(run) {
      const set = await run.send('markContact', markBody(run, { OptType: 2, CustomMark: run.name('mark') }));
      if (!fullSuccess(set)) return setupFailed('setting a custom mark', set);
      const clear = await run.send('markContact', markBody(run, { OptType: 2, CustomMark: '' }));
      const read = await run.send('searchContactGroup', { From_Account: run.owner, ContactItem: [run.peerConversation] });
      const calls = [set, clear, read];
      if (!fullSuccess(clear)) return contradicted(`setting the empty string answered ${describeOutcome(clear)}`, calls);
      if (!succeeded(read)) return setupFailed('reading the mark back', read);
      const left = marksOf(itemFor(read.answer, run.peerConversation)).customMark;
      return left === undefined ? held('the custom mark is gone after setting ""', calls) : contradicted(`the custom mark is still ${JSON.stringify(left)} after setting ""`, calls);
    },
  },
  'standard-mark-bit-order': {
    operation: 'searchContactGroup',
    plan: `set standard mark bit ${customerMarkBit(1)} (the app's first own bit) on the conversation with the peer and read StandardMark back`,
    async run(run) {
      const bit = customerMarkBit(1);
      const set = await run.send('markContact', markBody(run, { OptType: 1, SetMark: [bit] }));
      if (!fullSuccess(set)) return setupFailed(`setting bit ${bit}`, set);
      const read = await run.send('searchContactGroup', { From_Account: run.owner, ContactItem: [run.peerConversation] });
      if (!succeeded(read)) return setupFailed('reading the marks back', read);
      const calls = [set, read];
      const expected = [...new Set([...(run.marksBefore?.bits ?? []), bit])].sort((a, b) => a - b);
      const text = itemFor(read.answer, run.peerConversation)?.['StandardMark'];
      const got = marksOf(itemFor(read.answer, run.peerConversation)).bits;
      return got.join() === expected.join()
        ? held(`StandardMark ${JSON.stringify(text)} reads as bits ${expected.join(', ')}`, calls)
        : contradicted(`StandardMark ${JSON.stringify(text)} reads as bits ${got.join(', ') || 'none'}, expected ${expected.join(', ')}`, calls);
    },
  },
  'mark-bit-set-and-cleared': {
    operation: 'markContact',
    plan: `mark the conversation with the peer with bit ${customerMarkBit(2)} in both SetMark and ClearMark: the item should be refused`,
    async run(run) {
      const bit = customerMarkBit(2);
      const call = await run.send('markContact', markBody(run, { OptType: 1, SetMark: [bit], ClearMark: [bit] }));
      if (!succeeded(call)) return setupFailed('the mark call', call);
      const expected = operations.markContact.badRequestErrorCode;
      const [code] = resultCodes(call);
      return code === expected ? held(`the item got ResultCode ${expected}`, [call]) : contradicted(`the item got ResultCode ${String(code)}, expected ${expected}`, [call]);
    },
  },
  'duplicate-group-name': {
    operation: 'createContactGroup',
    plan: 'create a group, then a second one of the same name: the second should be refused',
    async run(run) {
      const body = createBody(run, run.name('twice'));
      const first = await run.send('createContactGroup', body);
      if (!fullSuccess(first)) return setupFailed('creating the first group', first);
      const second = await run.send('createContactGroup', body);
      const expected = operations.createContactGroup.badRequestErrorCode;
      return second.errorCode === expected
        ? held(`the second group of the same name got ErrorCode ${expected}`, [first, second])
        : contradicted(`the second group of the same name got ${describeOutcome(second)}, expected ErrorCode ${expected}`, [first, second]);
    },
  },
  'update-membership-idempotent': {
    operation: 'updateContactGroup',
    plan: 'create a group with the conversation with the peer, add it again, and remove a conversation that is not in the group',
    async run(run) {
      const group = run.name('members');
      const create = await run.send('createContactGroup', createBody(run, group));
      if (!fullSuccess(create)) return setupFailed('creating the group', create);
      const addAgain = await run.send('updateContactGroup', membershipBody(run, group, 1, run.peerConversation));
      const removeAbsent = await run.send('updateContactGroup', membershipBody(run, group, 2, run.absentConversation));
      const calls = [create, addAgain, removeAbsent];
      if (!fullSuccess(addAgain)) return contradicted(`adding a conversation already in the group answered ${describeOutcome(addAgain)} (ResultCode ${resultCodes(addAgain).join(', ')})`, calls);
      if (!fullSuccess(removeAbsent)) return contradicted(`removing a conversation not in the group answered ${describeOutcome(removeAbsent)} (ResultCode ${resultCodes(removeAbsent).join(', ')})`, calls);
      return held('both changes succeeded with ResultCode 0', calls);
    },
  },
  'delete-missing-conversation': {
    operation: 'deleteRecentContact',
    plan: "delete from the owner's conversation list a group conversation that cannot exist (its ID carries the run id), keeping messages",
    async run(run) {
      const call = await run.send('deleteRecentContact', { From_Account: run.owner, Type: 2, ToGroupid: run.absentConversation.ToGroupId, ClearRamble: 0 });
      return succeeded(call) ? held('deleting it succeeded', [call]) : contradicted(`deleting it answered ${describeOutcome(call)}`, [call]);
    },
  },
  'search-omits-conversations-without-data': {
    operation: 'searchContactGroup',
    plan: 'search the group and mark data of a conversation that cannot have any',
    async run(run) {
      const call = await run.send('searchContactGroup', { From_Account: run.owner, ContactItem: [run.absentConversation] });
      if (!succeeded(call)) return contradicted(`the search answered ${describeOutcome(call)}`, [call]);
      return itemFor(call.answer, run.absentConversation) === undefined
        ? held('the answer does not list it', [call])
        : contradicted('the answer lists it', [call]);
    },
  },
  'rate-limit-code': {
    operation: 'getRecentContactList',
    optIn: 'probe-rate-limit',
    plan: `send get_list calls without the client's limiter, the documented limit (${operations.getRecentContactList.rateLimit.calls} per ${operations.getRecentContactList.rateLimit.perSeconds} s) at once, up to three times, and look at the code of the first refused one`,
    async run(run) {
      const { calls: limit } = operations.getRecentContactList.rateLimit;
      const client = run.settings.unlimitedClient?.();
      if (client === undefined) return { status: 'not-probed', detail: 'no client without a rate limit was given', calls: [] };
      const body = { From_Account: run.owner, TimeStamp: 0, StartIndex: 0, TopTimeStamp: 0, TopStartIndex: 0, AssistFlags: 0 };
      // Waves of `limit` calls at once, at most three, ending at the first refusal: the first wave alone uses up
      // the window if the calls arrive within it.
      let refused: Exchange | undefined;
      let sent = 0;
      for (let wave = 0; wave < 3 && refused === undefined; wave++) {
        const calls = await Promise.all(Array.from({ length: limit }, () => run.send('getRecentContactList', body, { client, checkAnswer: false })));
        sent += calls.length;
        refused = calls.find((call) => call.errorCode !== 0);
      }
      if (refused === undefined) return { status: 'not-probed', detail: `none of ${sent} calls was refused`, calls: [] };
      const strategy = (errorCodes as Record<number, { strategy: string } | undefined>)[refused.errorCode ?? Number.NaN]?.strategy;
      return strategy === 'rate-limit-backoff'
        ? held(`the first refused call got ${describeOutcome(refused)}`, [refused])
        : contradicted(`the first refused call got ${describeOutcome(refused)}, not a rate-limit code`, [refused]);
    },
  },
};
