/**
 * The sandbox's in-memory data: users, their conversation groups with GroupIds, and a record of every delete, so a
 * test can ask afterwards whether a client deleted the same group more than once (e.g. a retry after a lost answer).
 */
import type { ContactItem, Edition, Fixture } from './fixture.js';

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

export interface StateSnapshot {
  readonly sdkAppId: number;
  readonly admins: readonly string[];
  readonly edition: Edition;
  readonly users: Readonly<Record<string, { readonly groups: Readonly<Record<string, { readonly GroupId: number; readonly contacts: readonly ContactItem[] }>> }>>;
}

export type DeleteGroupResult =
  | { readonly ok: true; readonly group: GroupRecord }
  | { readonly ok: false; readonly reason: 'unknown-user' | 'unknown-group' };

/**
 * A group name of a user, live or deleted. A deleted group keeps its entry (marked not live) instead of leaving
 * the map: the entry then carries its own deletion counts, and a delete costs no map rehash.
 */
interface GroupEntry extends GroupRecord {
  readonly user: string;
  live: boolean;
  deletions: number;
  repeatsAfterDeletion: number;
}

interface UserRecord {
  readonly groups: Map<string, GroupEntry>;
  /** GroupIds are never reused within a user, like the service's own small integer IDs. */
  nextGroupId: number;
}

const UNKNOWN_USER: DeleteGroupResult = { ok: false, reason: 'unknown-user' };
const UNKNOWN_GROUP: DeleteGroupResult = { ok: false, reason: 'unknown-group' };

export class SandboxState {
  readonly sdkAppId: number;
  readonly admins: ReadonlySet<string>;
  readonly edition: Edition;
  readonly #users = new Map<string, UserRecord>();
  /** Every group entry that was ever deleted, in the order of its first deletion. */
  readonly #deletionLog: GroupEntry[] = [];
  #totalDeletions = 0;

  constructor(fixture: Fixture) {
    this.sdkAppId = fixture.sdkAppId;
    this.admins = new Set(fixture.admins);
    this.edition = fixture.edition;
    for (const [userId, user] of Object.entries(fixture.users)) {
      const record: UserRecord = { groups: new Map(), nextGroupId: 1 };
      for (const [name, contacts] of Object.entries(user.groups)) {
        record.groups.set(name, {
          user: userId,
          name,
          groupId: record.nextGroupId++,
          contacts: [...contacts],
          live: true,
          deletions: 0,
          repeatsAfterDeletion: 0,
        });
      }
      this.#users.set(userId, record);
    }
  }

  hasUser(userId: string): boolean {
    return this.#users.has(userId);
  }

  /** The live group of that name, if any. */
  group(userId: string, name: string): GroupRecord | undefined {
    const entry = this.#users.get(userId)?.groups.get(name);
    return entry?.live === true ? entry : undefined;
  }

  deleteGroup(userId: string, name: string): DeleteGroupResult {
    const user = this.#users.get(userId);
    if (user === undefined) return UNKNOWN_USER;
    const entry = user.groups.get(name);
    if (entry === undefined) return UNKNOWN_GROUP;
    if (!entry.live) {
      entry.repeatsAfterDeletion++;
      return UNKNOWN_GROUP;
    }
    entry.live = false;
    entry.deletions++;
    this.#totalDeletions++;
    if (entry.deletions === 1) this.#deletionLog.push(entry);
    return { ok: true, group: entry };
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

  /** The current data in fixture form plus GroupIds, for inspection. */
  snapshot(): StateSnapshot {
    // fromEntries defines own properties, so a UserID such as "__proto__" stays an ordinary key.
    const users = Object.fromEntries(
      [...this.#users].map(([userId, user]) => [
        userId,
        {
          groups: Object.fromEntries(
            [...user.groups.values()]
              .filter((entry) => entry.live)
              .map((entry) => [entry.name, { GroupId: entry.groupId, contacts: [...entry.contacts] }]),
          ),
        },
      ]),
    );
    return { sdkAppId: this.sdkAppId, admins: [...this.admins], edition: this.edition, users };
  }
}
