/**
 * `delete`: removes one conversation from the user's conversation list (`ToGroupid`, lower-case `id`, names a group
 * conversation here). Deleting one that is not in the list succeeds and changes nothing, so a retry is harmless. The
 * conversation's groups and marks stay: the vendor keeps them apart from the list. `ClearRamble` is accepted; the
 * sandbox holds no messages to clear. Works on every edition.
 */
import { conversationKey } from '../conversation-key.js';
import { failure } from '../envelope.js';
import type { OperationHandler } from './handler.js';

export const deleteRecentContact: OperationHandler<'deleteRecentContact'> = {
  operationId: 'deleteRecentContact',
  needsConversationGroups: false,
  handle(body, { state }) {
    const user = body.From_Account;
    const deleted = state.deleteRecent(user, body.Type === 1 ? conversationKey(1, body.To_Account) : conversationKey(2, body.ToGroupid));
    if (deleted === undefined) return { ok: false, failure: failure(50001, `From_Account ${user} has not been imported into Chat.`) };
    return { ok: true, data: {} };
  },
};
