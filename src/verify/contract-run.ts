/**
 * The state of one contract-check run: the client, the two test users, the run id that names everything the run
 * makes, every call with the checks of its answer, and what the run has (or may have) changed, so the cleanup
 * knows what to undo even when a call was cut off.
 */
import type { OperationId } from '../../generated/operations.js';
import type { ChatGroupsClient } from '../client/client.js';
import type { Check } from './checks.js';
import { answerChecks, exchange, type Exchange } from './exchange.js';

/** A conversation as the group and mark operations name it. */
export type Conversation = { readonly Type: 1; readonly To_Account: string } | { readonly Type: 2; readonly ToGroupId: string };

/** The marks of the owner's conversation with the peer, as `search_contact_group` answered before the run. */
export interface MarksBefore {
  readonly bits: readonly number[];
  readonly customMark: string | undefined;
}

export interface ContractRunSettings {
  readonly client: ChatGroupsClient;
  /** The user whose groups and marks the run makes and removes. */
  readonly owner: string;
  /** The user whose conversation with the owner is grouped and marked. */
  readonly peer: string;
  readonly runId: string;
  /** Texts never to be kept in a report (the secret key). */
  readonly secrets: readonly string[];
  readonly signal?: AbortSignal | undefined;
  /** Hears about every call once it ended, for progress output. */
  readonly onCall?: ((call: Exchange) => void) | undefined;
  /** A client without the rate limit, for the opt-in rate-limit probe only. */
  readonly unlimitedClient?: (() => ChatGroupsClient) | undefined;
}

export class ContractRun {
  readonly settings: ContractRunSettings;
  readonly checks: Check[] = [];
  readonly calls: Exchange[] = [];
  /** Names of groups this run created or may have created (a call cut off in flight counts). */
  readonly groupNames = new Set<string>();
  /** Standard mark bits the run set or cleared on the owner's conversation with the peer. */
  readonly touchedBits = new Set<number>();
  touchedCustomMark = false;
  marksBefore: MarksBefore | undefined;
  #signal: AbortSignal | undefined;

  constructor(settings: ContractRunSettings) {
    this.settings = settings;
    this.#signal = settings.signal;
  }

  /** From now on the signal no longer stops calls: the cleanup is what an interruption asks for. */
  ignoreSignal(): void {
    this.#signal = undefined;
  }

  get owner(): string {
    return this.settings.owner;
  }

  /** Starts every name the run gives, so its groups and marks can be told from anything else. */
  get prefix(): string {
    return `vc${this.settings.runId}`;
  }

  name(suffix: string): string {
    return `${this.prefix}-${suffix}`;
  }

  /** The owner's one-to-one conversation with the peer: the only existing conversation the run groups or marks. */
  get peerConversation(): Conversation {
    return { Type: 1, To_Account: this.settings.peer };
  }

  /** A group conversation whose chat group cannot exist (its ID carries the run id), so it has no data anywhere. */
  get absentConversation(): { readonly Type: 2; readonly ToGroupId: string } {
    return { Type: 2, ToGroupId: `@TGS#${this.prefix}` };
  }

  /** Sends one request and records it with the checks of its answer. */
  async send(operationId: OperationId, request: Readonly<Record<string, unknown>>, options: { client?: ChatGroupsClient; checkAnswer?: boolean } = {}): Promise<Exchange> {
    this.noteChanges(operationId, request);
    const call = await exchange(options.client ?? this.settings.client, operationId, request, this.settings.secrets, this.#signal);
    this.calls.push(call);
    if (options.checkAnswer !== false) this.checks.push(...answerChecks(call));
    this.settings.onCall?.(call);
    return call;
  }

  /** Noted before sending, so a call cut off in flight is undone too. */
  private noteChanges(operationId: OperationId, request: Readonly<Record<string, unknown>>): void {
    if (operationId === 'createContactGroup') {
      for (const group of (request['GroupContactItem'] as readonly { GroupName?: unknown }[] | undefined) ?? []) {
        if (typeof group.GroupName === 'string') this.groupNames.add(group.GroupName);
      }
    }
    if (operationId === 'updateContactGroup') {
      const newName = (request['UpdateGroup'] as { NewGroupName?: unknown } | undefined)?.NewGroupName;
      if (typeof newName === 'string') this.groupNames.add(newName);
    }
    if (operationId === 'markContact') {
      for (const item of (request['MarkItem'] as readonly Record<string, unknown>[] | undefined) ?? []) {
        for (const bit of [...((item['SetMark'] as number[] | undefined) ?? []), ...((item['ClearMark'] as number[] | undefined) ?? [])]) this.touchedBits.add(bit);
        if (item['OptType'] !== 1) this.touchedCustomMark = true;
      }
    }
  }
}
