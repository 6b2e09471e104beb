/**
 * The sandbox's starting data: which app it pretends to be, which users exist, their conversation groups and their
 * conversation lists (recent contacts).
 * A fixture is checked completely on load, and every problem is reported with the path of the bad entry
 * (e.g. `users.alice.groups.work[1].Type must be 1 or 2`), because a typo in test data otherwise surfaces much
 * later as a puzzling 51009.
 */
import { readFile } from 'node:fs/promises';
import { utf8ByteLength } from '../validate.js';
import { conversationKey } from './conversation-key.js';
import { maxCreatedGroupNameBytes, maxGroupedConversations, maxGroupsPerUser } from './spec-limits.js';

/** `ultimate` stands for every edition with conversation groups (Ultimate/Pro/Pro Plus/Enterprise); `standard` lacks them. */
export type Edition = 'ultimate' | 'standard';
export const editions: readonly Edition[] = ['ultimate', 'standard'];

export type ContactItem =
  | { readonly Type: 1; readonly To_Account: string }
  | { readonly Type: 2; readonly ToGroupId: string };

/**
 * A conversation of the user's conversation list, with get_list's own field names: `GroupId` names the chat group
 * (where the group APIs say `ToGroupId`).
 */
export type RecentContact =
  | { readonly Type: 1; readonly To_Account: string; readonly MsgTime: number; readonly TopFlag?: 0 | 1 }
  | { readonly Type: 2; readonly GroupId: string; readonly MsgTime: number; readonly TopFlag?: 0 | 1 };

export interface FixtureUser {
  /** Group name → the conversations in it, in order; GroupIds are assigned 1, 2, … in this order per user. */
  readonly groups: Readonly<Record<string, readonly ContactItem[]>>;
  /** The user's conversation list for get_list and delete; none when absent. */
  readonly recent?: readonly RecentContact[];
}

export interface Fixture {
  readonly sdkAppId: number;
  /** App admin accounts: the only identifiers allowed to call (50003 otherwise). */
  readonly admins: readonly string[];
  readonly edition: Edition;
  /** Imported UserIDs (others get 50001) with their conversation groups. */
  readonly users: Readonly<Record<string, FixtureUser>>;
}

export class FixtureError extends Error {
  override readonly name = 'FixtureError';
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN);
    const more = problems.length - shown.length;
    super(
      `${source} is not a valid sandbox fixture:\n${shown.map((problem) => `  - ${problem}`).join('\n')}` +
        (more > 0 ? `\n  … and ${more} more` : ''),
    );
    this.problems = problems;
  }
}

const MAX_PROBLEMS_SHOWN = 20;
const MAX_SDKAPPID = 4_294_967_295;
/** MsgTime is Unix seconds; 0 is left out because get_list's cursors use 0 for "from the start". */
const MAX_MSG_TIME = 4_294_967_295;
const USER_KEYS = new Set(['groups', 'recent']);
const RECENT_KEYS = new Set(['Type', 'To_Account', 'GroupId', 'MsgTime', 'TopFlag']);
const TOP_LEVEL_KEYS = new Set(['sdkAppId', 'admins', 'edition', 'users']);
const DEFAULT_EDITION: Edition = 'ultimate';

/** Reads and checks a fixture file; throws FixtureError naming the file and every bad entry. */
export async function loadFixtureFile(file: string): Promise<Fixture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FixtureError(file, [`cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FixtureError(file, [`is not JSON: ${(error as Error).message}`]);
  }
  return parseFixture(value, file);
}

/** Checks fixture data (from a file or built in code) and fills in defaults; throws FixtureError. */
export function parseFixture(value: unknown, source = 'fixture'): Fixture {
  const problems: string[] = [];
  if (!isPlainObject(value)) {
    throw new FixtureError(source, [`the fixture must be a JSON object, got ${describe(value)}`]);
  }
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(key)) problems.push(`${path('', key)} is not a fixture field (expected ${[...TOP_LEVEL_KEYS].join(', ')})`);
  }

  const sdkAppId = value['sdkAppId'];
  if (!Number.isInteger(sdkAppId) || (sdkAppId as number) < 1 || (sdkAppId as number) > MAX_SDKAPPID) {
    problems.push(`sdkAppId must be an integer from 1 to ${MAX_SDKAPPID}, got ${describe(sdkAppId)}`);
  }

  const admins = value['admins'];
  if (!Array.isArray(admins) || admins.length === 0) {
    problems.push(`admins must be a non-empty array of UserIDs, got ${describe(admins)}`);
  } else {
    admins.forEach((admin, index) => {
      if (!isNonEmptyString(admin)) problems.push(`admins[${index}] must be a non-empty string, got ${describe(admin)}`);
    });
  }

  const edition = value['edition'] ?? DEFAULT_EDITION;
  if (!editions.includes(edition as Edition)) {
    problems.push(`edition must be ${editions.map((name) => JSON.stringify(name)).join(' or ')}, got ${describe(edition)}`);
  }

  const users = value['users'];
  if (!isPlainObject(users)) {
    problems.push(`users must be an object of UserID → { "groups": { … }, "recent": [ … ] }, got ${describe(users)}`);
  } else {
    for (const [userId, user] of Object.entries(users)) checkUser(userId, user, problems);
  }

  if (problems.length > 0) throw new FixtureError(source, problems);
  return { sdkAppId, admins, edition, users } as Fixture;
}

function checkUser(userId: string, user: unknown, problems: string[]): void {
  const where = path('users', userId);
  if (userId === '') problems.push(`${where}: a UserID must not be empty`);
  if (!isPlainObject(user)) {
    problems.push(`${where} must be an object with "groups", got ${describe(user)}`);
    return;
  }
  for (const key of Object.keys(user)) {
    if (!USER_KEYS.has(key)) problems.push(`${path(where, key)} is not a user field (expected groups, recent)`);
  }
  if (user['recent'] !== undefined) checkRecent(path(where, 'recent'), user['recent'], problems);
  const groups = user['groups'] ?? {};
  if (!isPlainObject(groups)) {
    problems.push(`${path(where, 'groups')} must be an object of group name → conversations, got ${describe(groups)}`);
    return;
  }
  const names = Object.keys(groups);
  if (names.length > maxGroupsPerUser) {
    problems.push(`${path(where, 'groups')} has ${names.length} groups; a user can have at most ${maxGroupsPerUser}`);
  }
  const grouped = new Set<string>();
  for (const name of names) {
    const groupPath = path(path(where, 'groups'), name);
    const bytes = utf8ByteLength(name);
    if (bytes === 0 || bytes > maxCreatedGroupNameBytes) {
      problems.push(`${groupPath}: a group name must be 1 to ${maxCreatedGroupNameBytes} UTF-8 bytes, got ${bytes}`);
    }
    const contacts = groups[name];
    if (!Array.isArray(contacts)) {
      problems.push(`${groupPath} must be an array of conversations, got ${describe(contacts)}`);
      continue;
    }
    const seen = new Map<string, number>();
    contacts.forEach((contact, index) => {
      const key = checkContact(`${groupPath}[${index}]`, contact, problems);
      if (key === undefined) return;
      const first = seen.get(key);
      if (first !== undefined) problems.push(`${groupPath}[${index}] repeats ${groupPath}[${first}]`);
      else seen.set(key, index);
      grouped.add(key);
    });
  }
  if (grouped.size > maxGroupedConversations) {
    problems.push(`${path(where, 'groups')} groups ${grouped.size} conversations; at most ${maxGroupedConversations} can be grouped`);
  }
}

/** The conversation list: each entry once, with get_list's field names and a MsgTime. */
function checkRecent(where: string, recent: unknown, problems: string[]): void {
  if (!Array.isArray(recent)) {
    problems.push(`${where} must be an array of conversations like {"Type": 1, "To_Account": "bob", "MsgTime": 1700000000}, got ${describe(recent)}`);
    return;
  }
  const seen = new Map<string, number>();
  recent.forEach((entry, index) => {
    const at = `${where}[${index}]`;
    if (!isPlainObject(entry)) {
      problems.push(`${at} must be an object like {"Type": 1, "To_Account": "bob", "MsgTime": 1700000000}, got ${describe(entry)}`);
      return;
    }
    const type = entry['Type'];
    if (type !== 1 && type !== 2) {
      problems.push(`${at}.Type must be 1 or 2, got ${describe(type)}`);
      return;
    }
    const [peerField, otherField] = type === 1 ? ['To_Account', 'GroupId'] : ['GroupId', 'To_Account'];
    for (const key of Object.keys(entry)) {
      if (key === otherField) problems.push(`${at}.${key} is not allowed with Type ${type} (use ${peerField})`);
      else if (!RECENT_KEYS.has(key)) problems.push(`${at}.${key} is not a conversation-list field (expected Type, ${peerField}, MsgTime, TopFlag)`);
    }
    const peer = entry[peerField];
    if (!isNonEmptyString(peer)) problems.push(`${at}.${peerField} must be a non-empty string for Type ${type}, got ${describe(peer)}`);
    const msgTime = entry['MsgTime'];
    if (!Number.isInteger(msgTime) || (msgTime as number) < 1 || (msgTime as number) > MAX_MSG_TIME) {
      problems.push(`${at}.MsgTime must be the time of the last message in Unix seconds, an integer from 1 to ${MAX_MSG_TIME}, got ${describe(msgTime)}`);
    }
    const topFlag = entry['TopFlag'];
    if (topFlag !== undefined && topFlag !== 0 && topFlag !== 1) problems.push(`${at}.TopFlag must be 0 or 1, got ${describe(topFlag)}`);
    if (!isNonEmptyString(peer)) return;
    const key = conversationKey(type, peer);
    const first = seen.get(key);
    if (first !== undefined) problems.push(`${at} repeats ${where}[${first}]`);
    else seen.set(key, index);
  });
}

/** Returns a key identifying the conversation when the item is valid. */
function checkContact(where: string, contact: unknown, problems: string[]): string | undefined {
  if (!isPlainObject(contact)) {
    problems.push(`${where} must be an object like {"Type": 1, "To_Account": "bob"}, got ${describe(contact)}`);
    return undefined;
  }
  const type = contact['Type'];
  const [peerField, otherField] = type === 1 ? ['To_Account', 'ToGroupId'] : ['ToGroupId', 'To_Account'];
  if (type !== 1 && type !== 2) {
    problems.push(`${where}.Type must be 1 or 2, got ${describe(type)}`);
    return undefined;
  }
  let valid = true;
  for (const key of Object.keys(contact)) {
    if (key === otherField) {
      problems.push(`${where}.${key} is not allowed with Type ${type} (use ${peerField})`);
      valid = false;
    } else if (key !== 'Type' && key !== peerField) {
      problems.push(`${where}.${key} is not a conversation field (expected Type and ${peerField})`);
      valid = false;
    }
  }
  const peer = contact[peerField];
  if (!isNonEmptyString(peer)) {
    problems.push(`${where}.${peerField} must be a non-empty string for Type ${type}, got ${describe(peer)}`);
    return undefined;
  }
  return valid ? conversationKey(type, peer) : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

const PLAIN_KEY = /^[A-Za-z0-9_@#$-]+$/;

function path(parent: string, key: string): string {
  const step = PLAIN_KEY.test(key) ? key : `[${JSON.stringify(key)}]`;
  if (parent === '') return step;
  return step.startsWith('[') ? `${parent}${step}` : `${parent}.${step}`;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
