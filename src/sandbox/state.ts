/**
 * The sandbox's in-memory data: users, their conversation groups with GroupIds, the group and mark data of their
 * conversations, their conversation lists, and a record of every group delete, so a test can ask afterwards whether
 * a client deleted the same group more than once (e.g. a retry after a lost answer).
 *
 * The family's limits on a user's data (20 groups, 1000 grouped and 1000 marked conversations) are enforced here,
 * from the spec's extensions; the handlers turn the outcomes into the vendor's codes.
 *
 * Those limits count items, not bytes, and the names of deleted groups are remembered for the deletion report, so the
 * state also has a bound of its own: an estimate of the memory its data takes (`maxStateBytes`). A change that could
 * take the estimate over the bound is refused before anything changes (outcome `state-full`).
 */
import { contactKey } from './conversation-key.js';
import { ConversationData, type ConversationRecord } from './conversation-data.js';
import type { ContactItem, Edition, Fixture, RecentContact } from './fixture.js';
import { RecentContacts } from './recent-contacts.js';
import { maxGroupedConversations, maxGroupsPerUser, maxMarkedConversations } from './spec-limits.js';

export interface GroupRecord {
  readonly name: string;
  readonly groupId: number;
  readonly contacts: readonly ContactItem[];
}

/** What happened to one group name of one user, across the whole run. */
export interface DeletionRecord {
  readonly user: string;
  readonly groupName: string;
  /** The GroupId the deleted group had (the last one, should a group of that name be deleted again after re-creation). */
  readonly groupId: number;
  /** Successful deletes. */
  readonly deletions: number;
  /** Deletes of this name that came after it was deleted and were answered 51009. */
  readonly repeatsAfterDeletion: number;
}

export interface DeletionReport {
  readonly totalDeletions: number;
  /** Groups whose deletion was requested more than once (deletions + repeats > 1). */
  readonly deletedTwice: readonly DeletionRecord[];
  readonly groups: readonly DeletionRecord[];
}

/** A conversation's group and mark data in the snapshot. */
export interface ConversationSnapshot {
  readonly contact: ContactItem;
  /** Standard mark bits set, ascending (REST numbering). */
  readonly marks: readonly number[];
  readonly customMark: string;
  readonly groupIds: readonly number[];
  /** Unix seconds of the last change. */
  readonly timestamp: number;
}

export interface UserSnapshot {
  readonly groups: Readonly<Record<string, { readonly GroupId: number; readonly contacts: readonly ContactItem[] }>>;
  /** Conversations with group or mark data, in get_contact_group's order. */
  readonly conversations: readonly ConversationSnapshot[];
  /** The conversation list in fixture form, pinned first, newest first. */
  readonly recent: readonly RecentContact[];
}

export interface StateSnapshot {
  readonly sdkAppId: number;
  readonly admins: readonly string[];
  readonly edition: Edition;
  readonly users: Readonly<Record<string, UserSnapshot>>;
}

/** A change refused because it could take the state over its `maxStateBytes` bound. */
export type StateFull = 'state-full';

export type DeleteGroupResult =
  | { readonly ok: true; readonly group: GroupRecord }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'unknown-group' };

export type CreateGroupResult =
  | { readonly ok: true; readonly group: GroupRecord }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'too-many-groups' | 'name-taken' | StateFull };

export type RenameGroupResult =
  | { readonly ok: true; readonly group: GroupRecord }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'unknown-group' | 'name-taken' | StateFull };

/** One conversation added to or removed from a group. `already` / `absent`: nothing to do, which is not a failure. */
export type MembershipOutcome = 'added' | 'already' | 'removed' | 'absent' | 'grouped-limit' | 'unknown-group' | StateFull;

export type MarkOutcome = 'marked' | 'marked-limit' | 'unknown-user' | StateFull;

export interface MarkChange {
  /** Standard mark bits to set, then to clear. */
  readonly set: readonly number[];
  readonly clear: readonly number[];
  /** The new custom mark; absent: unchanged. */
  readonly customMark?: string;
}

/**
 * A group name of a user, live or deleted. A deleted group keeps its entry (marked not live) instead of leaving
 * the map: the entry then carries its own deletion counts, and a delete costs no map rehash.
 */
interface GroupEntry extends GroupRecord {
  readonly user: string;
  groupId: number;
  readonly contacts: ContactItem[];
  /** The conversation keys of `contacts`, for constant-time membership checks. */
  readonly members: Set<string>;
  live: boolean;
  deletions: number;
  repeatsAfterDeletion: number;
}

interface UserRecord {
  readonly groups: Map<string, GroupEntry>;
  /** GroupIds are never reused within a user, like the service's own small integer IDs. */
  nextGroupId: number;
  liveGroups: number;
  readonly data: ConversationData;
  readonly recent: RecentContacts;
}

const UNKNOWN_USER: DeleteGroupResult = { ok: false, reason: 'unknown-user' };
const UNKNOWN_GROUP: DeleteGroupResult = { ok: false, reason: 'unknown-group' };

/** The default `maxStateBytes`: far above any test's data, far below what would strain a developer's machine. */
export const DEFAULT_MAX_STATE_BYTES = 64 * 1024 * 1024;

/**
 * Estimated bytes of one stored item besides its strings (object headers, map and set slots). Deliberately generous,
 * so the estimate stays above what V8 really uses.
 */
const ITEM_OVERHEAD_BYTES = 256;

/** Estimated bytes of a string in memory (UTF-16 at worst). */
function stringBytes(text: string): number {
  return text.length * 2;
}

function contactBytes(contact: ContactItem): number {
  return stringBytes(contact.Type === 1 ? contact.To_Account : contact.ToGroupId);
}

/** A group name remembered, live or deleted. */
function entryBytes(name: string): number {
  return ITEM_OVERHEAD_BYTES + stringBytes(name);
}

/** A conversation in a group: its item in `contacts` and its key in `members`. */
function membershipBytes(contact: ContactItem): number {
  return 2 * (ITEM_OVERHEAD_BYTES + contactBytes(contact));
}

/** A conversation's group and mark record, at most: its key, its contact, its marks and its custom mark. */
function recordBytes(contact: ContactItem, customMark: string): number {
  return 2 * (ITEM_OVERHEAD_BYTES + contactBytes(contact)) + 64 * 8 + stringBytes(customMark);
}

function newEntry(user: string, name: string, groupId: number): GroupEntry {
  return { user, name, groupId, contacts: [], members: new Set(), live: true, deletions: 0, repeatsAfterDeletion: 0 };
}

export class SandboxState {
  readonly sdkAppId: number;
  readonly admins: ReadonlySet<string>;
  readonly edition: Edition;
  readonly #users = new Map<string, UserRecord>();
  /** Every group entry that was ever deleted, in the order of its first deletion. */
  readonly #deletionLog: GroupEntry[] = [];
  #totalDeletions = 0;
  /** The estimate of stored bytes, kept as changes happen (see the module comment). */
  #storedBytes = 0;
  #revision = 0;
  readonly maxStateBytes: number;

  /** `now`: Unix seconds, the `Timestamp` of the fixture's groupings. The fixture's data counts against `maxStateBytes` too. */
  constructor(fixture: Fixture, now = Math.floor(Date.now() / 1000), maxStateBytes = DEFAULT_MAX_STATE_BYTES) {
    this.maxStateBytes = maxStateBytes;
    this.sdkAppId = fixture.sdkAppId;
    this.admins = new Set(fixture.admins);
    this.edition = fixture.edition;
    for (const [userId, user] of Object.entries(fixture.users)) {
      const record: UserRecord = {
        groups: new Map(),
        nextGroupId: 1,
        liveGroups: 0,
        data: new ConversationData(recordBytes),
        recent: new RecentContacts(user.recent ?? []),
      };
      for (const [name, contacts] of Object.entries(user.groups)) {
        const entry = newEntry(userId, name, record.nextGroupId++);
        record.groups.set(name, entry);
        record.liveGroups++;
        this.#storedBytes += entryBytes(name);
        for (const contact of contacts) this.#join(record, entry, contact, now);
      }
      this.#users.set(userId, record);
    }
  }

  /** Counts every change to the data, so a caller can tell whether a call changed anything. */
  get revision(): number {
    return this.#revision;
  }

  /** The current estimate of the data's memory, which `maxStateBytes` bounds. */
  get storedBytes(): number {
    return this.#storedBytes;
  }

  /** True when adding `bytes` (an upper estimate) could take the state over its bound. */
  #wouldOverflow(bytes: number): boolean {
    return this.#storedBytes + bytes > this.maxStateBytes;
  }

  hasUser(userId: string): boolean {
    return this.#users.has(userId);
  }

  /** The live group of that name, if any. */
  group(userId: string, name: string): GroupRecord | undefined {
    const entry = this.#users.get(userId)?.groups.get(name);
    return entry?.live === true ? entry : undefined;
  }

  /** The user's live groups by GroupId. */
  groups(userId: string): GroupRecord[] {
    const user = this.#users.get(userId);
    if (user === undefined) return [];
    return [...user.groups.values()].filter((entry) => entry.live).sort((a, b) => a.groupId - b.groupId);
  }

  /** The GroupIds of the live groups holding a conversation, ascending. */
  groupIdsOf(userId: string, key: string): number[] {
    const user = this.#users.get(userId);
    if (user === undefined || !user.data.isGrouped(key)) return [];
    const ids: number[] = [];
    for (const entry of user.groups.values()) if (entry.live && entry.members.has(key)) ids.push(entry.groupId);
    return ids.sort((a, b) => a - b);
  }

  /** A conversation's group and mark data, if it has any. */
  conversation(userId: string, key: string): ConversationRecord | undefined {
    return this.#users.get(userId)?.data.get(key);
  }

  /** Every conversation of the user with group or mark data, in the order it first got some. */
  conversations(userId: string): ConversationRecord[] {
    return this.#users.get(userId)?.data.list() ?? [];
  }

  recentContacts(userId: string): RecentContacts | undefined {
    return this.#users.get(userId)?.recent;
  }

  /** A new empty group with the next GroupId. Names identify groups, so a live group's name cannot be taken twice. */
  createGroup(userId: string, name: string): CreateGroupResult {
    const user = this.#users.get(userId);
    if (user === undefined) return { ok: false, reason: 'unknown-user' };
    const existing = user.groups.get(name);
    if (existing?.live === true) return { ok: false, reason: 'name-taken' };
    if (user.liveGroups >= maxGroupsPerUser) return { ok: false, reason: 'too-many-groups' };
    if (existing === undefined && this.#wouldOverflow(entryBytes(name))) return { ok: false, reason: 'state-full' };
    this.#revision++;
    user.liveGroups++;
    if (existing !== undefined) {
      // The deletion counts of the name stay with it, so a later delete of the new group adds to them.
      existing.live = true;
      existing.groupId = user.nextGroupId++;
      return { ok: true, group: existing };
    }
    const entry = newEntry(userId, name, user.nextGroupId++);
    user.groups.set(name, entry);
    this.#storedBytes += entryBytes(name);
    return { ok: true, group: entry };
  }

  renameGroup(userId: string, oldName: string, newName: string): RenameGroupResult {
    const user = this.#users.get(userId);
    if (user === undefined) return { ok: false, reason: 'unknown-user' };
    const entry = user.groups.get(oldName);
    if (entry?.live !== true) return { ok: false, reason: 'unknown-group' };
    if (newName === oldName) return { ok: true, group: entry };
    if (user.groups.get(newName)?.live === true) return { ok: false, reason: 'name-taken' };
    if (this.#wouldOverflow(entryBytes(newName))) return { ok: false, reason: 'state-full' };
    this.#revision++;
    // The old name's entry leaves the map, and is freed unless the deletion report still holds it; a deleted group
    // that had the new name is held by the report, so it stays counted.
    this.#storedBytes += entryBytes(newName) - (entry.deletions === 0 ? entryBytes(oldName) : 0);
    // A fresh entry under the new name: deletion counts belong to names, and this name was never deleted as this group.
    const renamed: GroupEntry = { ...entry, name: newName, deletions: 0, repeatsAfterDeletion: 0 };
    entry.live = false;
    user.groups.delete(oldName);
    user.groups.set(newName, renamed);
    return { ok: true, group: renamed };
  }

  addToGroup(userId: string, name: string, contact: ContactItem, now: number): MembershipOutcome {
    const user = this.#users.get(userId);
    const entry = user?.groups.get(name);
    if (user === undefined || entry?.live !== true) return 'unknown-group';
    const key = contactKey(contact);
    if (entry.members.has(key)) return 'already';
    if (!user.data.isGrouped(key) && user.data.groupedCount >= maxGroupedConversations) return 'grouped-limit';
    if (this.#wouldOverflow(membershipBytes(contact) + recordBytes(contact, ''))) return 'state-full';
    this.#revision++;
    this.#join(user, entry, contact, now);
    return 'added';
  }

  removeFromGroup(userId: string, name: string, contact: ContactItem, now: number): MembershipOutcome {
    const user = this.#users.get(userId);
    const entry = user?.groups.get(name);
    if (user === undefined || entry?.live !== true) return 'unknown-group';
    const key = contactKey(contact);
    if (!entry.members.has(key)) return 'absent';
    this.#revision++;
    entry.members.delete(key);
    const [removed] = entry.contacts.splice(
      entry.contacts.findIndex((member) => contactKey(member) === key),
      1,
    );
    if (removed !== undefined) this.#storedBytes -= membershipBytes(removed);
    this.#changeData(user, () => user.data.leftGroup(key, now));
    return 'removed';
  }

  /**
   * Sets and clears standard mark bits and, when given, replaces the custom mark. A conversation that had no mark
   * and would get one counts against the 1000 marked conversations.
   */
  mark(userId: string, contact: ContactItem, change: MarkChange, now: number): MarkOutcome {
    const user = this.#users.get(userId);
    if (user === undefined) return 'unknown-user';
    const key = contactKey(contact);
    const current = user.data.get(key);
    const marks = new Set(current?.marks ?? []);
    for (const bit of change.set) marks.add(bit);
    for (const bit of change.clear) marks.delete(bit);
    const customMark = change.customMark ?? current?.customMark ?? '';
    const willBeMarked = marks.size > 0 || customMark !== '';
    if (willBeMarked && !user.data.isMarked(key) && user.data.markedCount >= maxMarkedConversations) return 'marked-limit';
    if (this.#wouldOverflow(recordBytes(contact, customMark))) return 'state-full';
    this.#revision++;
    this.#changeData(user, () => user.data.setMarks(key, contact, marks, customMark, now));
    return 'marked';
  }

  deleteGroup(userId: string, name: string, now = Math.floor(Date.now() / 1000)): DeleteGroupResult {
    const user = this.#users.get(userId);
    if (user === undefined) return UNKNOWN_USER;
    const entry = user.groups.get(name);
    if (entry === undefined) return UNKNOWN_GROUP;
    this.#revision++;
    if (!entry.live) {
      entry.repeatsAfterDeletion++;
      return UNKNOWN_GROUP;
    }
    entry.live = false;
    user.liveGroups--;
    for (const contact of entry.contacts) this.#storedBytes -= membershipBytes(contact);
    this.#changeData(user, () => {
      for (const key of entry.members) user.data.leftGroup(key, now);
    });
    const group: GroupRecord = { name: entry.name, groupId: entry.groupId, contacts: [...entry.contacts] };
    // A re-created group of this name starts empty.
    entry.members.clear();
    entry.contacts.length = 0;
    entry.deletions++;
    this.#totalDeletions++;
    if (entry.deletions === 1) this.#deletionLog.push(entry);
    return { ok: true, group };
  }

  /** Removes a conversation from the user's conversation list; undefined for an unknown user, false when it was not listed. */
  deleteRecent(userId: string, key: string): boolean | undefined {
    const recent = this.#users.get(userId)?.recent;
    if (recent === undefined) return undefined;
    const deleted = recent.delete(key);
    if (deleted) this.#revision++;
    return deleted;
  }

  deletionReport(): DeletionReport {
    const groups: DeletionRecord[] = this.#deletionLog.map((entry) => ({
      user: entry.user,
      groupName: entry.name,
      groupId: entry.groupId,
      deletions: entry.deletions,
      repeatsAfterDeletion: entry.repeatsAfterDeletion,
    }));
    return {
      totalDeletions: this.#totalDeletions,
      deletedTwice: groups.filter((record) => record.deletions + record.repeatsAfterDeletion > 1),
      groups,
    };
  }

  /** The current data in fixture form plus GroupIds, marks and the conversation lists, for inspection. */
  snapshot(): StateSnapshot {
    // fromEntries defines own properties, so a UserID such as "__proto__" stays an ordinary key.
    const users = Object.fromEntries(
      [...this.#users].map(([userId, user]): [string, UserSnapshot] => [
        userId,
        {
          groups: Object.fromEntries(
            [...user.groups.values()]
              .filter((entry) => entry.live)
              .map((entry) => [entry.name, { GroupId: entry.groupId, contacts: [...entry.contacts] }]),
          ),
          conversations: user.data.list().map((record) => ({
            contact: record.contact,
            marks: [...record.marks].sort((a, b) => a - b),
            customMark: record.customMark,
            groupIds: this.groupIdsOf(userId, record.key),
            timestamp: record.timestamp,
          })),
          recent: user.recent.list(),
        },
      ]),
    );
    return { sdkAppId: this.sdkAppId, admins: [...this.admins], edition: this.edition, users };
  }

  #join(user: UserRecord, entry: GroupEntry, contact: ContactItem, now: number): void {
    const key = contactKey(contact);
    entry.members.add(key);
    entry.contacts.push(contact);
    this.#storedBytes += membershipBytes(contact);
    this.#changeData(user, () => user.data.joinedGroup(key, contact, now));
  }

  /** Runs a change to a user's conversation data and keeps the estimate in step with the records it adds or drops. */
  #changeData(user: UserRecord, change: () => void): void {
    const before = user.data.storedBytes;
    change();
    this.#storedBytes += user.data.storedBytes - before;
  }
}
