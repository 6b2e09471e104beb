import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import TLSSigAPIv2 from 'tls-sig-api-v2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, operationErrorCodes } from '../../generated/error-codes.js';
import { operations } from '../../generated/operations.js';
import { gatewayCodes } from '../../src/sandbox/codes.js';
import {
  DEVELOPMENT_SECRET_KEY,
  FixtureError,
  defaultFixture,
  loadFixtureFile,
  parseFixture,
  startSandbox,
  type Fixture,
  type RunningSandbox,
  type SandboxOptions,
} from '../../src/sandbox/index.js';
import { generateUserSig } from '../../src/usersig/usersig.js';

const sdkAppId = defaultFixture.sdkAppId;
const admin = 'administrator';
const operation = operations.delContactGroup;
const path = operation.path;
const documentedLimit = operation.rateLimit.calls;

/** Every ErrorCode any test here received; the last test checks each against the catalogue. */
const answeredCodes = new Set<number>();

const running: RunningSandbox[] = [];

async function sandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const started = await startSandbox(options);
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

function sign(identifier = admin, options: { secretKey?: string; appId?: number; expireSeconds?: number; now?: number } = {}): string {
  return generateUserSig({
    secretKey: options.secretKey ?? DEVELOPMENT_SECRET_KEY,
    sdkAppId: options.appId ?? sdkAppId,
    identifier,
    expireSeconds: options.expireSeconds ?? 3600,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
}

type Query = Record<string, string | undefined>;

function signedQuery(overrides: Query = {}): string {
  const query: Query = {
    sdkappid: String(sdkAppId),
    identifier: admin,
    usersig: sign(),
    random: '12345',
    contenttype: 'json',
    ...overrides,
  };
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  return params.toString();
}

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly json: { ActionStatus: string; ErrorCode: number; ErrorInfo: string; GroupItem?: { GroupName: string; GroupId: number }[] };
}

async function send(
  target: RunningSandbox,
  body: unknown,
  options: { query?: Query; method?: string; path?: string; rawBody?: string } = {},
): Promise<Answer> {
  const method = options.method ?? 'POST';
  const response = await fetch(`${target.url}${options.path ?? path}?${signedQuery(options.query)}`, {
    method,
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: options.rawBody ?? JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = response.headers.get('content-type') === 'application/json' ? (JSON.parse(text) as Answer['json']) : (undefined as never);
  if (json !== undefined) answeredCodes.add(json.ErrorCode);
  return { status: response.status, text, json };
}

/** The HTTP status, ErrorCode and ErrorInfo of a call, for one-line assertions. */
async function codeOf(target: RunningSandbox, body: unknown, options: Parameters<typeof send>[2] = {}): Promise<number> {
  const answer = await send(target, body, options);
  expect(answer.status).toBe(200);
  return answer.json.ErrorCode;
}

const deleteWork = { From_Account: 'alice', GroupName: ['work'] };

describe('a signed call', () => {
  it('deletes an existing group and answers HTTP 200 with its name and GroupId in the vendor envelope', async () => {
    const target = await sandbox();
    const answer = await send(target, deleteWork);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ GroupItem: [{ GroupName: 'work', GroupId: 1 }], ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
  });

  it('gets GroupIds numbered per user in the order of the fixture', async () => {
    const target = await sandbox();
    const answer = await send(target, { From_Account: 'alice', GroupName: ['hobbies'] });
    expect(answer.json.GroupItem).toEqual([{ GroupName: 'hobbies', GroupId: 3 }]);
    const multibyte = await send(target, { From_Account: 'bob', GroupName: ['项目'] });
    expect(multibyte.json.GroupItem).toEqual([{ GroupName: '项目', GroupId: 2 }]);
  });
});

describe('the gateway checks, in order', () => {
  let target: RunningSandbox;
  beforeAll(async () => {
    target = await startSandbox({ rateLimit: 'off' });
  });
  afterAll(() => target.close());

  it('answers 60009 for a path that is not an operation of the spec', async () => {
    expect(await codeOf(target, deleteWork, { path: '/v4/recentcontact/no_such_command' })).toBe(60009);
    expect(await codeOf(target, deleteWork, { path: '/' })).toBe(60009);
  });

  it('answers 60002 for any method but POST, naming the method', async () => {
    const answer = await send(target, undefined, { method: 'GET' });
    expect(answer.json.ErrorCode).toBe(60002);
    expect(answer.json.ErrorInfo).toContain('GET');
    expect(await codeOf(target, deleteWork, { method: 'PUT' })).toBe(60002);
  });

  it('answers 60012 when sdkappid is missing', async () => {
    expect(await codeOf(target, deleteWork, { query: { sdkappid: undefined } })).toBe(60012);
  });

  it('answers 60006 when sdkappid is not a decimal unsigned 32-bit integer', async () => {
    for (const sdkappid of ['abc', '0', '4294967296', '1.5', '']) {
      expect(await codeOf(target, deleteWork, { query: { sdkappid } }), sdkappid).toBe(60006);
    }
  });

  it('answers 70020 when sdkappid is well formed but not the configured app', async () => {
    const answer = await send(target, deleteWork, { query: { sdkappid: '1400000001' } });
    expect(answer.json.ErrorCode).toBe(70020);
    expect(answer.json.ErrorInfo).toContain('1400000001');
  });

  it.each([
    ['identifier', undefined],
    ['identifier', ''],
    ['random', undefined],
    ['random', 'x'],
    ['random', '-1'],
    ['random', '4294967296'],
    ['contenttype', undefined],
    ['contenttype', 'JSON'],
    ['contenttype', 'xml'],
  ])('answers 60002 naming %s when it is %j', async (name, value) => {
    const answer = await send(target, deleteWork, { query: { [name]: value } });
    expect(answer.json.ErrorCode).toBe(60002);
    expect(answer.json.ErrorInfo).toContain(name);
  });

  it('accepts random at both ends of the uint32 range', async () => {
    expect(await codeOf(target, { From_Account: 'carol', GroupName: ['x'] }, { query: { random: '0' } })).toBe(51009);
    expect(await codeOf(target, { From_Account: 'carol', GroupName: ['x'] }, { query: { random: '4294967295' } })).toBe(51009);
  });

  it('answers 70002 when usersig is missing or empty', async () => {
    expect(await codeOf(target, deleteWork, { query: { usersig: undefined } })).toBe(70002);
    expect(await codeOf(target, deleteWork, { query: { usersig: '' } })).toBe(70002);
  });

  it('answers 70003 for a truncated or unreadable UserSig', async () => {
    const good = sign();
    expect(await codeOf(target, deleteWork, { query: { usersig: good.slice(0, good.length - 12) } })).toBe(70003);
    expect(await codeOf(target, deleteWork, { query: { usersig: 'not a usersig' } })).toBe(70003);
  });

  it('answers 70009 for a UserSig made with another key', async () => {
    expect(await codeOf(target, deleteWork, { query: { usersig: sign(admin, { secretKey: 'some-other-apps-key' }) } })).toBe(70009);
  });

  it('answers 70013 when the UserSig was made for another identifier', async () => {
    expect(await codeOf(target, deleteWork, { query: { usersig: sign('alice') } })).toBe(70013);
  });

  it('answers 70014 when the UserSig was made for another SDKAppID', async () => {
    expect(await codeOf(target, deleteWork, { query: { usersig: sign(admin, { appId: 1400000001 }) } })).toBe(70014);
  });

  it('answers 70005 for a sig carrying a userbuf (a TRTC PrivateMapKey), which Chat never issues', async () => {
    const withUserbuf = new TLSSigAPIv2.Api(sdkAppId, DEVELOPMENT_SECRET_KEY).genSig(admin, 3600, Buffer.from('abc'));
    expect(await codeOf(target, deleteWork, { query: { usersig: withUserbuf } })).toBe(70005);
  });

  it('answers 50003 when the identifier signed correctly but is not an app admin', async () => {
    const answer = await send(target, deleteWork, { query: { identifier: 'alice', usersig: sign('alice') } });
    expect(answer.json.ErrorCode).toBe(50003);
    expect(answer.json.ErrorInfo).toContain('alice');
  });

  it('checks the signature before the admin list, so a forged non-admin call gets 70009', async () => {
    expect(await codeOf(target, deleteWork, { query: { identifier: 'alice', usersig: sign('alice', { secretKey: 'forged' }) } })).toBe(70009);
  });

  it('answers 60002 for a body over 1 MiB', async () => {
    expect(await codeOf(target, undefined, { rawBody: `{"From_Account":"${'a'.repeat(1024 * 1024)}"}` })).toBe(60002);
  });

  it('checks the query before the body, so a bad body with a bad sig gets the sig code', async () => {
    expect(await codeOf(target, undefined, { rawBody: 'not json', query: { usersig: '' } })).toBe(70002);
  });
});

describe('UserSig expiry', () => {
  it('accepts a UserSig through its last valid second and answers 70001 one second later', async () => {
    let nowMs = 1_700_000_000_000;
    const target = await sandbox({ clock: () => nowMs });
    const issuedAt = nowMs / 1000;
    const usersig = sign(admin, { now: issuedAt, expireSeconds: 60 });
    nowMs = (issuedAt + 60) * 1000 + 999;
    expect(await codeOf(target, { From_Account: 'carol', GroupName: ['x'] }, { query: { usersig } })).toBe(51009);
    nowMs = (issuedAt + 61) * 1000;
    const expired = await send(target, { From_Account: 'carol', GroupName: ['x'] }, { query: { usersig } });
    expect(expired.json).toEqual({ ActionStatus: 'FAIL', ErrorCode: 70001, ErrorInfo: errorCodes[70001].meaning });
  });

  it('answers 70001 for a sig that expired before it was ever seen', async () => {
    const target = await sandbox();
    const usersig = sign(admin, { now: Math.floor(Date.now() / 1000) - 7200, expireSeconds: 3600 });
    expect(await codeOf(target, deleteWork, { query: { usersig } })).toBe(70001);
  });
});

describe('the request body, checked against the spec', () => {
  let target: RunningSandbox;
  beforeAll(async () => {
    target = await startSandbox({ rateLimit: 'off' });
  });
  afterAll(() => target.close());

  it('answers 60003 when the body is not JSON, or is empty', async () => {
    expect(await codeOf(target, undefined, { rawBody: '{"From_Account": "alice",' })).toBe(60003);
    expect(await codeOf(target, undefined, { rawBody: '' })).toBe(60003);
  });

  it.each([
    ['a missing From_Account', { GroupName: ['work'] }, 'From_Account'],
    ['a missing GroupName', { From_Account: 'alice' }, 'GroupName'],
    ['a numeric From_Account', { From_Account: 42, GroupName: ['work'] }, 'From_Account'],
    ['an empty From_Account', { From_Account: '', GroupName: ['work'] }, 'From_Account'],
    ['a GroupName that is a string', { From_Account: 'alice', GroupName: 'work' }, 'GroupName'],
    ['an empty GroupName array', { From_Account: 'alice', GroupName: [] }, 'GroupName'],
    ['two group names', { From_Account: 'alice', GroupName: ['work', 'family'] }, 'GroupName'],
    ['a numeric group name', { From_Account: 'alice', GroupName: [7] }, 'GroupName[0]'],
    ['an empty group name', { From_Account: 'alice', GroupName: [''] }, 'GroupName[0]'],
  ])('answers 50002 naming the field for %s', async (_case, body, field) => {
    const answer = await send(target, body);
    expect(answer.json.ErrorCode).toBe(50002);
    expect(answer.json.ErrorInfo).toContain(field);
  });

  it('answers 50002 for a JSON body that is not an object', async () => {
    expect(await codeOf(target, ['alice', 'work'])).toBe(50002);
    expect(await codeOf(target, null)).toBe(50002);
  });

  it('answers 51011 for a group name over 64 UTF-8 bytes, counting bytes rather than characters', async () => {
    const answer = await send(target, { From_Account: 'alice', GroupName: ['群'.repeat(22)] });
    expect(answer.json.ErrorCode).toBe(51011);
    expect(answer.json.ErrorInfo).toContain('66 UTF-8 bytes');
    expect(await codeOf(target, { From_Account: 'alice', GroupName: ['a'.repeat(65)] })).toBe(51011);
  });

  it('lets a name of exactly 64 bytes through to the lookup (51009: no group is that long)', async () => {
    expect(await codeOf(target, { From_Account: 'alice', GroupName: ['a'.repeat(64)] })).toBe(51009);
  });

  it('reports shape problems (50002) ahead of a too-long name (51011)', async () => {
    expect(await codeOf(target, { From_Account: 5, GroupName: ['a'.repeat(65)] })).toBe(50002);
  });
});

describe('state', () => {
  it('answers 50001 for a From_Account that was never imported', async () => {
    const target = await sandbox();
    const answer = await send(target, { From_Account: 'mallory', GroupName: ['work'] });
    expect(answer.json.ErrorCode).toBe(50001);
    expect(answer.json.ErrorInfo).toContain('mallory');
  });

  it('answers 51009 for a group the user does not have', async () => {
    const target = await sandbox();
    expect(await codeOf(target, { From_Account: 'alice', GroupName: ['golf'] })).toBe(51009);
    expect(await codeOf(target, { From_Account: 'carol', GroupName: ['work'] })).toBe(51009);
  });

  it('forgets a deleted group: deleting it again answers 51009, and other users keep theirs', async () => {
    const target = await sandbox();
    expect((await send(target, deleteWork)).json.ErrorCode).toBe(0);
    const again = await send(target, deleteWork);
    expect(again.json.ErrorCode).toBe(51009);
    expect(again.json.GroupItem).toBeUndefined();
    expect(await codeOf(target, { From_Account: 'bob', GroupName: ['friends'] })).toBe(0);
    expect(target.state.group('alice', 'family')?.groupId).toBe(2);
  });

  it('answers 51013 on an edition without conversation groups, even for a group that exists', async () => {
    const target = await sandbox({ fixture: { ...defaultFixture, edition: 'standard' } });
    const answer = await send(target, deleteWork);
    expect(answer.json).toEqual({ ActionStatus: 'FAIL', ErrorCode: 51013, ErrorInfo: errorCodes[51013].meaning });
    expect(target.state.group('alice', 'work')).toBeDefined();
  });

  it('reports under /__sandbox/deletions which groups were deleted more than once', async () => {
    const target = await sandbox();
    await send(target, deleteWork);
    await send(target, deleteWork);
    await send(target, { From_Account: 'bob', GroupName: ['friends'] });
    const report = (await (await fetch(`${target.url}/__sandbox/deletions`)).json()) as Record<string, unknown>;
    expect(report).toEqual({
      totalDeletions: 2,
      deletedTwice: [{ user: 'alice', groupName: 'work', groupId: 1, deletions: 1, repeatsAfterDeletion: 1 }],
      groups: [
        { user: 'alice', groupName: 'work', groupId: 1, deletions: 1, repeatsAfterDeletion: 1 },
        { user: 'bob', groupName: 'friends', groupId: 1, deletions: 1, repeatsAfterDeletion: 0 },
      ],
    });
  });

  it('shows the current data read-only under /__sandbox/state', async () => {
    const target = await sandbox();
    await send(target, deleteWork);
    const response = await fetch(`${target.url}/__sandbox/state`);
    const snapshot = (await response.json()) as { sdkAppId: number; users: Record<string, { groups: Record<string, unknown> }> };
    expect(snapshot.sdkAppId).toBe(sdkAppId);
    expect(Object.keys(snapshot.users['alice']?.groups ?? {})).toEqual(['family', 'hobbies']);
    expect(snapshot.users['alice']?.groups['family']).toEqual({ GroupId: 2, contacts: [{ Type: 1, To_Account: 'carol' }] });
    expect((await fetch(`${target.url}/__sandbox/state`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await fetch(`${target.url}/__sandbox/nothing`)).status).toBe(404);
  });
});

describe('the rate limit', () => {
  const carolBody = { From_Account: 'carol', GroupName: ['x'] };

  it(`uses the documented ${documentedLimit} calls per second by default and answers 60007 to the next call`, async () => {
    const target = await sandbox({ clock: () => 1_700_000_000_000 });
    const codes = await Promise.all(Array.from({ length: documentedLimit + 1 }, () => codeOf(target, carolBody)));
    expect(codes.filter((code) => code === 51009)).toHaveLength(documentedLimit);
    expect(codes.filter((code) => code === 60007)).toHaveLength(1);
  });

  it('refuses a call that would make more than N in any one-second window, however the window is placed', async () => {
    let nowMs = 1_700_000_000_000;
    const start = nowMs;
    const target = await sandbox({ rateLimit: 5, clock: () => nowMs });
    const at = async (offsetMs: number): Promise<number> => {
      nowMs = start + offsetMs;
      return codeOf(target, carolBody);
    };
    for (let i = 0; i < 3; i++) expect(await at(0)).toBe(51009);
    for (let i = 0; i < 2; i++) expect(await at(600)).toBe(51009);
    expect(await at(999)).toBe(60007);
    // At 1000 ms the three calls of 0 ms have left the window; the two of 600 ms have not.
    for (let i = 0; i < 3; i++) expect(await at(1000)).toBe(51009);
    expect(await at(1000)).toBe(60007);
    expect(await at(1599)).toBe(60007);
    expect(await at(1600)).toBe(51009);
  });

  it('does not count refused calls, so a client that backs off for a second gets through', async () => {
    let nowMs = 1_700_000_000_000;
    const target = await sandbox({ rateLimit: 2, clock: () => nowMs });
    await codeOf(target, carolBody);
    await codeOf(target, carolBody);
    for (let i = 0; i < 10; i++) expect(await codeOf(target, carolBody)).toBe(60007);
    nowMs += 1000;
    expect(await codeOf(target, carolBody)).toBe(51009);
  });

  it('names the API and its limit in ErrorInfo', async () => {
    const target = await sandbox({ rateLimit: 1, clock: () => 0 });
    await send(target, carolBody);
    const answer = await send(target, carolBody);
    expect(answer.json.ErrorCode).toBe(60007);
    expect(answer.json.ErrorInfo).toContain('del_contact_group');
    expect(answer.json.ErrorInfo).toContain('at most 1 call in any 1000 ms');
  });

  it('can be switched off', async () => {
    const target = await sandbox({ rateLimit: 'off', clock: () => 0 });
    const codes = await Promise.all(Array.from({ length: documentedLimit + 50 }, () => codeOf(target, carolBody)));
    expect(codes.every((code) => code === 51009)).toBe(true);
  });
});

describe('fault injection', () => {
  async function schedule(target: RunningSandbox, fault: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${target.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(fault) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('is off unless the sandbox was started with allowFaults', async () => {
    const target = await sandbox();
    const refused = await schedule(target, { count: 1, errorCode: 50004 });
    expect(refused.status).toBe(403);
    expect(String(refused.body['error'])).toContain('--allow-faults');
    expect((await fetch(`${target.url}/__sandbox/faults`)).status).toBe(403);
    expect(await codeOf(target, deleteWork)).toBe(0);
  });

  it('answers the next N calls with the chosen ErrorCode, then behaves normally again', async () => {
    const target = await sandbox({ allowFaults: true });
    const created = await schedule(target, { count: 2, errorCode: 50004 });
    expect(created).toEqual({ status: 201, body: { id: 1, count: 2, remaining: 2, errorCode: 50004 } });
    const first = await send(target, deleteWork);
    expect(first.json).toEqual({ ActionStatus: 'FAIL', ErrorCode: 50004, ErrorInfo: errorCodes[50004].meaning });
    expect(await codeOf(target, deleteWork)).toBe(50004);
    expect(await codeOf(target, deleteWork)).toBe(0);
  });

  it('limits a fault to one operation, named by operationId or vendor command', async () => {
    const target = await sandbox({ allowFaults: true });
    expect((await schedule(target, { operation: 'del_contact_group', errorCode: 60007 })).body['operation']).toBe('delContactGroup');
    expect(await codeOf(target, deleteWork)).toBe(60007);
    const unknown = await schedule(target, { operation: 'create_group', errorCode: 60007 });
    expect(unknown.status).toBe(400);
    expect(String(unknown.body['error'])).toContain('operation');
  });

  it('answers HTTP 502 without an envelope, and leaves the state alone', async () => {
    const target = await sandbox({ allowFaults: true });
    await schedule(target, { httpStatus: 502 });
    const answer = await send(target, deleteWork);
    expect(answer.status).toBe(502);
    expect(answer.text).not.toContain('ErrorCode');
    expect(await codeOf(target, deleteWork)).toBe(0);
  });

  it('can apply the call before a 502, so a retry of the delete meets 51009', async () => {
    const target = await sandbox({ allowFaults: true });
    await schedule(target, { httpStatus: 502, afterProcessing: true });
    expect((await send(target, deleteWork)).status).toBe(502);
    expect(await codeOf(target, deleteWork)).toBe(51009);
    expect(target.state.deletionReport().deletedTwice).toHaveLength(1);
  });

  it('answers a faulted call before any check, and does not count it toward the rate limit', async () => {
    const target = await sandbox({ allowFaults: true, rateLimit: 1, clock: () => 0 });
    await schedule(target, { count: 2, errorCode: 70001 });
    expect(await codeOf(target, deleteWork, { query: { usersig: '' } })).toBe(70001);
    expect(await codeOf(target, deleteWork)).toBe(70001);
    expect(await codeOf(target, deleteWork)).toBe(0);
    expect(await codeOf(target, deleteWork)).toBe(60007);
  });

  it('delays a call and then answers it normally', async () => {
    const target = await sandbox({ allowFaults: true });
    await schedule(target, { delayMs: 150 });
    const started = performance.now();
    expect(await codeOf(target, deleteWork)).toBe(0);
    // A lower bound only: the answer cannot come before the delay (an upper bound would measure the machine).
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops the connection without an answer, and without applying the call', async () => {
    const target = await sandbox({ allowFaults: true });
    await schedule(target, { drop: true });
    await expect(send(target, deleteWork)).rejects.toThrow();
    expect(await codeOf(target, deleteWork)).toBe(0);
  });

  it('can drop the connection after applying the call', async () => {
    const target = await sandbox({ allowFaults: true });
    await schedule(target, { drop: true, afterProcessing: true });
    await expect(send(target, deleteWork)).rejects.toThrow();
    expect(target.state.group('alice', 'work')).toBeUndefined();
  });

  it('lists pending faults with their remaining count and clears them', async () => {
    const target = await sandbox({ allowFaults: true });
    await schedule(target, { count: 3, errorCode: 70001, delayMs: 10 });
    await schedule(target, { count: 1, drop: true, operation: 'delContactGroup' });
    await send(target, deleteWork);
    const listed = (await (await fetch(`${target.url}/__sandbox/faults`)).json()) as unknown;
    expect(listed).toEqual({
      faults: [
        { id: 1, count: 3, remaining: 2, errorCode: 70001, delayMs: 10 },
        { id: 2, count: 1, remaining: 1, operation: 'delContactGroup', drop: true },
      ],
    });
    expect(await (await fetch(`${target.url}/__sandbox/faults`, { method: 'DELETE' })).json()).toEqual({ cleared: 2 });
    expect(await codeOf(target, deleteWork)).toBe(0);
  });

  it.each([
    [{ errorCode: 12345 }, 'catalogue'],
    [{ errorCode: 50004, httpStatus: 502 }, 'errorCode and httpStatus'],
    [{ httpStatus: 404 }, 'httpStatus'],
    [{ count: 0, errorCode: 50004 }, 'count'],
    [{}, 'delayMs'],
    [{ errorCode: 50004, afterProcessing: true }, 'afterProcessing'],
    [{ drop: 'yes' }, 'drop'],
    [{ errorcode: 50004 }, 'errorcode'],
  ])('refuses the fault %j with an error naming %s', async (fault, named) => {
    const target = await sandbox({ allowFaults: true });
    const refused = await schedule(target, fault);
    expect(refused.status).toBe(400);
    expect(String(refused.body['error'])).toContain(named);
  });
});

describe('fixtures', () => {
  const valid: Fixture = {
    sdkAppId: 1400000123,
    admins: ['ops'],
    edition: 'ultimate',
    users: { alice: { groups: { work: [{ Type: 1, To_Account: 'bob' }, { Type: 2, ToGroupId: '@TGS#2ABC' }] } } },
  };

  function problemsOf(value: unknown): readonly string[] {
    try {
      parseFixture(value);
    } catch (error) {
      if (error instanceof FixtureError) return error.problems;
      throw error;
    }
    return [];
  }

  it('accepts the documented example and defaults the edition to ultimate', () => {
    const { edition: _edition, ...withoutEdition } = valid;
    expect(parseFixture(withoutEdition).edition).toBe('ultimate');
    expect(problemsOf(defaultFixture)).toEqual([]);
  });

  it.each([
    ['a conversation Type other than 1 or 2', { users: { alice: { groups: { work: [{ Type: 1, To_Account: 'bob' }, { Type: 3, To_Account: 'x' }] } } } }, 'users.alice.groups.work[1].Type must be 1 or 2, got 3'],
    ['a group conversation without ToGroupId', { users: { alice: { groups: { work: [{ Type: 2, To_Account: 'bob' }] } } } }, 'users.alice.groups.work[0].To_Account is not allowed with Type 2 (use ToGroupId)'],
    ['a repeated conversation', { users: { alice: { groups: { work: [{ Type: 1, To_Account: 'bob' }, { Type: 1, To_Account: 'bob' }] } } } }, 'users.alice.groups.work[1] repeats users.alice.groups.work[0]'],
    ['a missing sdkAppId', { sdkAppId: undefined }, 'sdkAppId must be an integer from 1 to 4294967295, got nothing'],
    ['an empty admin list', { admins: [] }, 'admins must be a non-empty array of UserIDs, got an array'],
    ['an unknown edition', { edition: 'pro' }, 'edition must be "ultimate" or "standard", got "pro"'],
    ['a misspelt top-level field', { user: {} }, 'user is not a fixture field (expected sdkAppId, admins, edition, users)'],
    ['a group name over 64 bytes', { users: { alice: { groups: { ['g'.repeat(65)]: [] } } } }, `users.alice.groups.${'g'.repeat(65)}: a group name must be 1 to 64 UTF-8 bytes, got 65`],
    ['a user name with dots', { users: { 'a.b': { groups: [] } } }, 'users["a.b"].groups must be an object of group name → conversations, got an array'],
    ['more than 20 groups', { users: { alice: { groups: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`g${i}`, []])) } } }, 'users.alice.groups has 21 groups; a user can have at most 20'],
  ])('names the bad entry for %s', (_case, change, problem) => {
    expect(problemsOf({ ...valid, ...change })).toContain(problem);
  });

  it('names the file and its JSON error when the file is not JSON', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sandbox-fixture-'));
    try {
      const file = join(directory, 'broken.json');
      await writeFile(file, '{"sdkAppId": 1400000000,');
      await expect(loadFixtureFile(file)).rejects.toThrow(`${file} is not a valid sandbox fixture:\n  - is not JSON`);
      const good = join(directory, 'good.json');
      await writeFile(good, JSON.stringify(valid));
      expect(await loadFixtureFile(good)).toEqual(valid);
    } finally {
      await rm(directory, { recursive: true });
    }
  });

  it('serves the fixture it was given: its app, admins and groups', async () => {
    const target = await sandbox({ fixture: valid });
    expect(await codeOf(target, deleteWork, { query: { sdkappid: '1400000123', identifier: 'ops', usersig: sign('ops', { appId: 1400000123 }) } })).toBe(0);
    expect(await codeOf(target, deleteWork, { query: { sdkappid: '1400000123', usersig: sign(admin, { appId: 1400000123 }) } })).toBe(50003);
  });

  it('refuses to start on an invalid fixture passed in code', async () => {
    await expect(startSandbox({ fixture: { ...valid, admins: [] } })).rejects.toThrow(FixtureError);
  });
});

describe('the error-code catalogue', () => {
  it('documents every code the sandbox chooses itself, and the internal-error code', () => {
    for (const code of [...Object.values(gatewayCodes), 50004]) expect(errorCodes, String(code)).toHaveProperty(String(code));
  });

  it('documents every code any test here was answered, and each operation code is one the operation lists', () => {
    expect(answeredCodes.size).toBeGreaterThan(15);
    const publicCodes = Object.values(errorCodes).filter((info) => info.scope === 'public').map((info) => info.code as number);
    const ownCodes: readonly number[] = operationErrorCodes.delContactGroup;
    for (const code of answeredCodes) {
      if (code === 0) continue;
      expect(publicCodes.includes(code) || ownCodes.includes(code), `${code} is neither public nor one of del_contact_group's`).toBe(true);
    }
  });
});
