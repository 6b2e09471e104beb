/**
 * `mark_contact`: sets and clears standard mark bits and sets custom marks, one result per item. `OptType` says what
 * an item changes; an item that cannot be applied as asked (a custom-mark change without `CustomMark`, a bit both set
 * and cleared) gets ResultCode 50002 and changes nothing, and one that would take the user over 1000 marked
 * conversations gets 51008. Standard marks need the higher edition (51013); custom marks alone do not.
 */
import { gatewayCodes } from '../codes.js';
import { failure, stateFullInfo } from '../envelope.js';
import { maxMarkedConversations } from '../spec-limits.js';
import type { OperationHandler } from './handler.js';

const STANDARD_ONLY = 1;
const CUSTOM_ONLY = 2;

export const markContact: OperationHandler<'markContact'> = {
  operationId: 'markContact',
  // Decided per call below: a call that changes custom marks only is accepted on every edition.
  needsConversationGroups: false,
  handle(body, { state, now }) {
    const user = body.From_Account;
    if (state.edition === 'standard' && body.MarkItem.some((item) => item.OptType !== CUSTOM_ONLY)) {
      return {
        ok: false,
        failure: failure(51013, 'The current edition does not support standard conversation marks; custom marks alone (OptType 2) work on every edition.'),
      };
    }
    if (!state.hasUser(user)) return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };

    const ResultItem = body.MarkItem.map((item, index) => {
      const result = (ResultCode: number, ResultInfo: string) => ({ OptType: item.OptType, ContactItem: item.ContactItem, ResultCode, ResultInfo });
      const changesStandard = item.OptType !== CUSTOM_ONLY;
      const changesCustom = item.OptType !== STANDARD_ONLY;
      if (changesCustom && item.CustomMark === undefined) {
        return result(50002, `MarkItem[${index}]: OptType ${item.OptType} changes the custom mark, so CustomMark is required ("" clears it)`);
      }
      const set = changesStandard ? (item.SetMark ?? []) : [];
      const clear = changesStandard ? (item.ClearMark ?? []) : [];
      const both = [...new Set(set.filter((bit) => clear.includes(bit)))];
      if (both.length > 0) {
        return result(50002, `MarkItem[${index}]: bit ${both.join(', ')} is in both SetMark and ClearMark`);
      }
      const change = changesCustom && item.CustomMark !== undefined ? { set, clear, customMark: item.CustomMark } : { set, clear };
      const outcome = state.mark(user, item.ContactItem, change, now);
      if (outcome === 'marked-limit') {
        return result(51008, `marks and custom marks can cover at most ${maxMarkedConversations} conversations of a user`);
      }
      if (outcome === 'state-full') return result(gatewayCodes.stateFull, stateFullInfo(state.maxStateBytes));
      return result(0, '');
    });
    return { ok: true, data: { ResultItem } };
  },
};
