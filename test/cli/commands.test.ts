/**
 * The API commands end to end: the real program as a child process against a sandbox started here, for every
 * command, every exit code and representative bad settings and flags. The long tables of bad settings and flags
 * also run in-process, through the same dispatcher `main.ts` calls, because a child process costs about a second
 * of CPU here and the table would take the file well past its time budget.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { operations } from '../../generated/operations.js';
import { regions } from '../../generated/regions.js';
import { commands } from '../../src/cli/commands.js';
import { runCli as runInProcess } from '../../src/cli/dispatch.js';
import { API_SECTION } from '../../src/cli/operations/command.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv } from '../support/cli-process.js';

const USERS = 13;
const fixture: Fixture = {
  sdkAppId: 1400000000,
  admins: ['administrator'],
  edition: 'ultimate',
  users: {
    administrator: { groups: {} },
    ...Object.fromEntries(
      Array.from({ length: USERS }, (_, index) => [
        `user${index}`,
        {
          groups: { work: [{ Type: 1, To_Account: 'administrator' }], home: [{ Type: 2, ToGroupId: '@TGS#2HOME' }] },
          recent: [
            { Type: 1, To_Account: 'administrator', MsgTime: 1_700_000_300, TopFlag: 1 },
            { Type: 2, GroupId: '@TGS#2HOME', MsgTime: 1_700_000_200 },
            { Type: 1, To_Account: 'zoe', MsgTime: 1_700_000_100 },
          ],
        },
      ]),
    ),
  },
};

let sandbox: RunningSandbox;
let env: Record<string, string>;

beforeAll(async () => {
  // Pages of one item, so the paged reads have to follow the cursor through several pages.
  sandbox = await startSandbox({ fixture, rateLimit: 'off', allowFaults: true, pageSizes: { getContactGroup: 1, getRecentContactList: 1 } });
  env = sandboxEnv(sandbox.url);
});
afterAll(() => sandbox.close());

type UserView = { groups: Record<string, unknown>; conversations?: { contact: Record<string, unknown>; marks: number[]; customMark?: string }[]; recent?: Record<string, unknown>[] };

function userState(user: string): UserView {
  return (sandbox.state.snapshot().users as unknown as Record<string, UserView>)[user] as UserView;
}

function groupsOf(user: string): string[] {
  return Object.keys(userState(user).groups);
}

async function fault(spec: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(spec) });
  expect(response.status).toBe(201);
}

/** Every run must keep the secret key off both streams, whatever happens. */
function expectNoSecret(result: { stdout: string; stderr: string }): void {
  expect(result.stdout).not.toContain(DEVELOPMENT_SECRET_KEY);
  expect(result.stderr).not.toContain(DEVELOPMENT_SECRET_KEY);
}

/** The same program in this process: the dispatcher main.ts runs, with captured streams and the given environment. */
async function inProcess(args: readonly string[], environment: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runInProcess(args, { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: (chunk: string) => (stderr += chunk) }, env: environment }, commands);
  return { code, stdout, stderr };
}

const operationCommandNames = commands.filter((command) => command.section === API_SECTION).map((command) => command.name);

describe('help', () => {
  it('lists a command per operation of the spec, the settings and the exit codes', async () => {
    const result = await runCli(['--help'], {});
    expect(result.code).toBe(0);
    expect(operationCommandNames).toHaveLength(Object.keys(operations).length);
    for (const name of [...operationCommandNames, 'usersig', 'sandbox', 'verify-contract']) expect(result.stdout).toContain(`  ${name} `);
    for (const text of ['TENCENT_CHAT_SDKAPPID', 'TENCENT_CHAT_REGION', 'Exit codes:', '130']) expect(result.stdout).toContain(text);
  });

  it.concurrent.each(['delete-group', 'list-groups'])('child process: %s --help', async (name) => {
    const result = await runCli([name, '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: chat-groups ${name} `));
  });

  it.each(operationCommandNames)('%s --help shows usage, every exit code and a runnable example', async (name) => {
    const result = await inProcess([name, '--help'], {});
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: chat-groups ${name} `));
    expect(result.stdout).toMatch(/Exit codes:\n {2}0 [\s\S]*\n {2}1 [\s\S]*\n {2}2 [\s\S]*\n {2}3 [\s\S]*\n {2}130 /);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n {2}chat-groups ${name} `));
    expect(result.stderr).toBe('');
  });

  it('delete-group --help documents the bulk flags and the region names', async () => {
    const { stdout } = await inProcess(['delete-group', '-h'], {});
    for (const flag of ['--user ID', '--group NAME', '--users-file FILE|-', '--results FILE', '--concurrency N', '--rate N|off', '--progress-interval S', '--retry-failed']) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain(Object.keys(regions).join(', '));
  });

  it('every operation whose request names a user offers bulk runs', async () => {
    for (const name of operationCommandNames) {
      const { stdout } = await inProcess([name, '--help'], {});
      expect({ name, bulk: stdout.includes('--users-file') }).toEqual({ name, bulk: stdout.includes('--user ID') });
    }
  });
});

describe('each command against the sandbox', () => {
  it.concurrent('delete-group deletes a group and says so (exit 0)', async () => {
    const result = await runCli(['delete-group', '--user', 'user0', '--group', 'work'], env);
    expectNoSecret(result);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Deleted conversation group "work" \(GroupId 1\) of user0\.\n\(random \d+ · 1 attempt · 127\.0\.0\.1:\d+\)\n$/);
    expect(groupsOf('user0')).toEqual(['home']);
  });

  it.concurrent('--json prints the whole result: request, answer, random and every attempt', async () => {
    const result = await runCli(['delete-group', '--user', 'user1', '--group', 'work', '--json'], env);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({
      ok: true,
      command: 'delete-group',
      operationId: 'delContactGroup',
      request: { From_Account: 'user1', GroupName: ['work'] },
      data: { ErrorCode: 0, GroupItem: [{ GroupName: 'work', GroupId: 1 }] },
      endpoint: 'primary',
    });
    const attempts = printed['attempts'] as { random: number; outcome: unknown }[];
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, random: printed['random'], outcome: { kind: 'ok', code: 0 } });
  });

  it('the --body form reaches the same operation', async () => {
    const result = await inProcess(['delete-group', '--body', JSON.stringify({ From_Account: 'user3', GroupName: ['home'] })], env);
    expect(result.code).toBe(0);
    expect(groupsOf('user3')).toEqual(['work']);
  });

  it.concurrent('create-group creates a group with its conversations', async () => {
    const result = await runCli(['create-group', '--user', 'user9', '--group', 'club', '--contact', 'user:zoe', '--contact', 'group:@TGS#2CLUB'], env);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Created conversation group "club" \(GroupId 3\) of user9 with 2 conversations\.\n/);
    expect(groupsOf('user9')).toContain('club');
  });

  it.concurrent('update-group renames a group, then changes its conversations', async () => {
    const renamed = await runCli(['update-group', '--user', 'user10', '--group', 'home', '--rename-to', 'house'], env);
    expect(renamed.code).toBe(0);
    expect(renamed.stdout).toContain('Renamed conversation group "home" of user10 to "house" (GroupId 2).');
    const changed = await inProcess(['update-group', '--user', 'user10', '--group', 'house', '--add', 'user:zoe', '--remove', 'group:@TGS#2HOME'], env);
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('Changed conversation group "house" (GroupId 2) of user10: 1 added, 1 removed.');
  });

  it.concurrent('mark sets named marks and a custom mark; search-groups reads them back', async () => {
    const marked = await runCli(['mark', '--user', 'user11', '--contact', 'user:zoe', '--set', 'star,unread', '--custom-mark', 'call back'], env);
    expect(marked).toMatchObject({ code: 0, stderr: '' });
    expect(marked.stdout).toContain('Marked 1 conversation of user11.');
    const found = await runCli(['search-groups', '--user', 'user11', '--contact', 'user:zoe', '--contact', 'user:administrator'], env);
    expect(found.code).toBe(0);
    expect(found.stdout).toContain('  user:zoe  marks: star, unread  custom mark: "call back"');
    expect(found.stdout).toContain('  user:administrator  groups: work');
  });

  it.concurrent('list-groups follows the cursor through every page', async () => {
    const result = await runCli(['list-groups', '--user', 'user2', '--json'], env);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { data: { GroupItem: unknown[]; ContactItem: unknown[] }; pages: unknown[] };
    expect(printed.data.ContactItem).toHaveLength(2);
    expect(printed.data.GroupItem).toHaveLength(2);
    expect(printed.pages).toHaveLength(2);
    const readable = await inProcess(['list-groups', '--user', 'user2'], env);
    expect(readable.stdout).toContain('user2 has 2 conversation groups:\n  work (GroupId 1): user:administrator\n  home (GroupId 2): group:@TGS#2HOME');
    expect(readable.stdout).toMatch(/\(random \d+ · 2 attempts · 2 pages · /);
  });

  it.concurrent('recent-contacts follows the cursor through every page', async () => {
    const result = await runCli(['recent-contacts', '--user', 'user4'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('user4 has 3 conversations in the list:\n  user:administrator  last message 2023-11-14T22:18:20Z  pinned');
    expect(result.stdout).toMatch(/· 3 pages ·/);
  });

  it.concurrent('delete-recent-contact removes a conversation from the list', async () => {
    const result = await runCli(['delete-recent-contact', '--user', 'user5', '--contact', 'group:@TGS#2HOME', '--clear-messages'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Deleted the conversation with group:@TGS#2HOME from the conversation list of user5, with its roaming messages.');
    expect(userState('user5').recent).toHaveLength(2);
  });
});

describe('exit codes of single calls', () => {
  it.concurrent('1: a business error, with the ErrorCode, the meaning and the random', async () => {
    const first = await runCli(['delete-group', '--user', 'user2', '--group', 'nope'], env);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe('');
    expect(first.stderr).toMatch(/failed with 51009: .*random \d+/);
    const json = await inProcess(['delete-group', '--user', 'user2', '--group', 'nope', '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { kind: 'api', code: 51009, retryable: false } });
  });

  it.concurrent('1: a partial success (ErrorCode 0, an item failed) lists the items that failed', async () => {
    // The sandbox answers an item that asks for a custom mark without giving one with ResultCode 50002.
    const markItems = [
      { OptType: 1, ContactItem: { Type: 1, To_Account: 'zoe' }, SetMark: [1] },
      { OptType: 2, ContactItem: { Type: 1, To_Account: 'administrator' } },
    ];
    const result = await runCli(['mark', '--user', 'user6', '--body', JSON.stringify({ MarkItem: markItems })], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Marked 2 conversations of user6.');
    expect(result.stderr).toMatch(/partial success: 1 item failed:\n {2}ResultItem\[1\]: 50002 /);
    const json = await inProcess(['mark', '--user', 'user6', '--body', JSON.stringify({ MarkItem: markItems }), '--json'], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, partial: true, failedItems: [{ path: 'ResultItem[1]', code: 50002 }] });
  });

  it.concurrent('2: a request the spec refuses is not sent', async () => {
    const result = await runCli(['delete-group', '--user', 'user8', '--group', '组'.repeat(22)], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--group: GroupName\[0\] must be at most 64 UTF-8 bytes, got 66/);
    expect(groupsOf('user8')).toContain('work');
  });

  it.concurrent('flags override the environment (another SDKAppID is refused by the sandbox)', async () => {
    const result = await runCli(['delete-group', '--user', 'user4', '--group', 'work', '--sdkappid', '1400000001', '--json'], env);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 70020 } });
    expect(groupsOf('user4')).toContain('work');
  });

  it.concurrent('--base-url on the command line replaces a region from the environment', async () => {
    const result = await runCli(['delete-group', '--user', 'user5', '--group', 'work', '--base-url', sandbox.url], {
      ...env,
      TENCENT_CHAT_BASE_URL: undefined,
      TENCENT_CHAT_REGION: 'singapore',
    });
    expect(result.code).toBe(0);
    expect(groupsOf('user5')).toEqual(['home']);
  });

  // Faults apply to the next calls of any client, so these run one after another.
  it('3: no answer after the retries (HTTP 502)', async () => {
    await fault({ count: 2, httpStatus: 502 });
    const result = await runCli(['delete-group', '--user', 'user6', '--group', 'work', '--max-attempts', '2', '--json'], env);
    expect(result.code).toBe(3);
    const printed = JSON.parse(result.stdout) as { error: Record<string, unknown>; attempts: unknown[] };
    expect(printed.error).toMatchObject({ kind: 'network', reason: 'http-status', status: 502, code: null });
    expect(printed.attempts).toHaveLength(2);
    expect(result.stderr).toContain('HTTP 502');
  });

  it('3: a host that refuses connections', async () => {
    const result = await runCli(['delete-group', '--user', 'user6', '--group', 'work', '--max-attempts', '1'], { ...env, TENCENT_CHAT_BASE_URL: 'http://127.0.0.1:9' });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('failed on the network');
  });

  it('1: a redirect is not followed; the error names the status and the target host, never its query', async () => {
    const elsewhere = createServer((_request, response) => response.writeHead(200).end('{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}'));
    const moved = createServer((request, response) => {
      response.writeHead(308, { location: `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/x?${(request.url ?? '').split('?')[1] ?? ''}` }).end();
    });
    const requestsElsewhere: string[] = [];
    elsewhere.on('request', (request: { url?: string }) => requestsElsewhere.push(request.url ?? ''));
    await Promise.all([elsewhere, moved].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    try {
      const movedUrl = `http://127.0.0.1:${(moved.address() as AddressInfo).port}`;
      const result = await runCli(['delete-group', '--user', 'user6', '--group', 'work', '--json'], { ...env, TENCENT_CHAT_BASE_URL: movedUrl });
      expect(result.code).toBe(1);
      const printed = JSON.parse(result.stdout) as { error: Record<string, unknown>; attempts: unknown[] };
      const elsewhereHost = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
      expect(printed.error).toMatchObject({ kind: 'unexpected-answer', reason: 'redirect', status: 308, location: elsewhereHost, code: null, retryable: false });
      expect(printed.attempts).toHaveLength(1);
      expect(result.stderr).toContain('HTTP 308');
      expect(result.stderr).toContain(elsewhereHost);
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/usersig=(?!REDACTED)/);
      expect(requestsElsewhere).toEqual([]);
    } finally {
      await Promise.all([elsewhere, moved].map((server) => new Promise((resolve) => server.close(resolve))));
    }
  });

  it('0: a lost answer followed by 51009 is reported as unclear: the group is gone either way', async () => {
    await fault({ count: 1, drop: true, afterProcessing: true });
    const result = await runCli(['delete-group', '--user', 'user7', '--group', 'work', '--json'], env);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout) as { ok: boolean; error: Record<string, unknown>; attempts: unknown[] };
    expect(printed).toMatchObject({ ok: false, error: { kind: 'unclear', code: 51009 } });
    expect(printed.attempts).toHaveLength(2);
    expect(groupsOf('user7')).toEqual(['home']);
  });
});

const badSettings = [
  ['TENCENT_CHAT_SDKAPPID missing', { TENCENT_CHAT_SDKAPPID: undefined }, /TENCENT_CHAT_SDKAPPID \(or --sdkappid\) is not set/],
  ['TENCENT_CHAT_ADMIN empty', { TENCENT_CHAT_ADMIN: '' }, /TENCENT_CHAT_ADMIN \(or --admin\) is not set/],
  ['TENCENT_CHAT_SECRET_KEY missing', { TENCENT_CHAT_SECRET_KEY: undefined }, /TENCENT_CHAT_SECRET_KEY is not set/],
  ['an invalid SDKAppID', { TENCENT_CHAT_SDKAPPID: '14e8' }, /TENCENT_CHAT_SDKAPPID must be a decimal integer from 1 to 4294967295/],
  ['an unknown region', { TENCENT_CHAT_BASE_URL: undefined, TENCENT_CHAT_REGION: 'atlantis' }, /TENCENT_CHAT_REGION must be one of china, singapore/],
  ['both region and base URL', { TENCENT_CHAT_REGION: 'china' }, /TENCENT_CHAT_REGION and TENCENT_CHAT_BASE_URL are both set/],
  ['neither region nor base URL', { TENCENT_CHAT_BASE_URL: undefined }, /neither TENCENT_CHAT_REGION \(or --region\) nor TENCENT_CHAT_BASE_URL/],
  ['plain HTTP to another host', { TENCENT_CHAT_BASE_URL: 'http://example.com' }, /TENCENT_CHAT_BASE_URL must use https/],
] as const;

describe('bad configuration: exit 2, named, nothing sent', () => {
  const call = ['delete-group', '--user', 'user8', '--group', 'work'];

  it.concurrent.each(badSettings.filter(([name]) => ['TENCENT_CHAT_SDKAPPID missing', 'both region and base URL'].includes(name)))(
    'child process: %s',
    async (_name, change, message) => {
      const result = await runCli(call, { ...env, ...change });
      expectNoSecret(result);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(groupsOf('user8')).toContain('work');
    },
  );

  it.each(badSettings)('in-process: %s', async (_name, change, message) => {
    const result = await inProcess(call, { ...env, ...change });
    expectNoSecret(result);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
    expect(groupsOf('user8')).toContain('work');
  });

  it('lists every problem at once', async () => {
    const result = await inProcess(call, {});
    expect(result.code).toBe(2);
    for (const name of ['TENCENT_CHAT_SDKAPPID', 'TENCENT_CHAT_ADMIN', 'TENCENT_CHAT_SECRET_KEY', 'TENCENT_CHAT_REGION']) expect(result.stderr).toContain(name);
  });

  it('a bad flag value is blamed on the flag, not the variable', async () => {
    const result = await inProcess([...call, '--region', 'atlantis'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--region must be one of/);
  });
});

describe('regions for which no vendor page lists a backup domain', () => {
  /** Runs in this process with a global fetch whose region primaries are unresolvable; other hosts are really called. */
  async function withUnreachablePrimaries(args: readonly string[], environment: Record<string, string | undefined>): Promise<{ code: number; stderr: string; hosts: string[] }> {
    const realFetch = globalThis.fetch;
    const primaries = new Set<string>(Object.values(regions).map((region) => region.url));
    const hosts: string[] = [];
    vi.stubGlobal('fetch', async (input: Request | string | URL, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      hosts.push(url.origin);
      if (primaries.has(url.origin)) {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }) });
      }
      return realFetch(input, init);
    });
    try {
      const result = await inProcess(args, environment);
      return { code: result.code, stderr: result.stderr, hosts };
    } finally {
      vi.unstubAllGlobals();
    }
  }
  const tokyo = { TENCENT_CHAT_BASE_URL: undefined, TENCENT_CHAT_REGION: 'tokyo' };

  it('a Tokyo call whose primary is unreachable goes to no other host (exit 3)', async () => {
    const result = await withUnreachablePrimaries(['delete-group', '--user', 'user12', '--group', 'work', '--max-attempts', '2'], { ...env, ...tokyo });
    expect(result.code).toBe(3);
    expect(result.hosts).toEqual([regions.tokyo.url, regions.tokyo.url]);
    expect(groupsOf('user12')).toContain('work');
  });

  it('a Tokyo call fails over to the backup named by TENCENT_CHAT_BACKUP_URL or --backup-url', async () => {
    const viaEnv = await withUnreachablePrimaries(['delete-group', '--user', 'user12', '--group', 'work'], { ...env, ...tokyo, TENCENT_CHAT_BACKUP_URL: sandbox.url });
    expect(viaEnv).toMatchObject({ code: 0, hosts: [regions.tokyo.url, sandbox.url] });
    const viaFlag = await withUnreachablePrimaries(['delete-group', '--user', 'user12', '--group', 'home', '--backup-url', sandbox.url], { ...env, ...tokyo });
    expect(viaFlag).toMatchObject({ code: 0, hosts: [regions.tokyo.url, sandbox.url] });
    expect(groupsOf('user12')).toEqual([]);
  });

  it('creates a group without conversations, which the vendor allows (ContactItem is optional)', async () => {
    const result = await inProcess(['create-group', '--user', 'user12', '--group', 'empty-group', '--json'], env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(sandbox.state.snapshot().users['user12']?.groups).toHaveProperty('empty-group');
  });

  it('refuses a backup URL beside a region whose backup the vendor lists, naming the setting', async () => {
    const result = await inProcess(['delete-group', '--user', 'user12', '--group', 'work', '--backup-url', sandbox.url], { ...env, TENCENT_CHAT_BASE_URL: undefined, TENCENT_CHAT_REGION: 'singapore' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--backup-url goes with baseUrl, or with a region for which the vendor lists no backup domain/);
  });
});

const badFlags = [
  ['an unknown flag', ['delete-group', '--user', 'a', '--group', 'b', '--colour'], /Unknown option '--colour'/],
  ['a positional argument', ['delete-group', 'alice'], /unexpected positional argument/],
  ['the secret key as a flag', ['delete-group', '--secret-key=hunter2'], /cannot be passed as a flag/],
  ['a missing --user', ['delete-group', '--group', 'work'], /--user: From_Account is required/],
  ['a missing --group', ['delete-group', '--user', 'alice'], /--group: GroupName is required/],
  ['a group name over 64 bytes', ['delete-group', '--user', 'alice', '--group', '组'.repeat(22)], /--group: GroupName\[0\] must be at most 64 UTF-8 bytes, got 66/],
  ['a conversation without its kind', ['create-group', '--user', 'a', '--group', 'g', '--contact', 'hunter2'], /--contact takes user:ID\|group:ID/],
  ['a rename and a change at once', ['update-group', '--user', 'a', '--group', 'g', '--rename-to', 'h', '--add', 'user:b'], /one kind of change per call/],
  ['an update that changes nothing', ['update-group', '--user', 'a', '--group', 'g'], /say what to change/],
  ['an unknown mark', ['mark', '--user', 'a', '--contact', 'user:b', '--set', 'sparkly'], /unknown mark flag/],
  ['a mark set and cleared at once', ['mark', '--user', 'a', '--contact', 'user:b', '--set', 'star', '--clear', 'star'], /cannot be set and cleared at once/],
  ['more than 300 conversations to search', ['search-groups', '--user', 'a', ...Array.from({ length: 301 }, (_, i) => `--contact=user:u${i}`)], /--contact: ContactItem must have at most 300 items/],
  ['a non-numeric --assist-flags', ['recent-contacts', '--user', 'a', '--assist-flags', 'all'], /--assist-flags: AssistFlags must be (an )?integer/],
  ['--body that is not JSON', ['delete-group', '--body', '{From_Account: hunter2}'], /--body is not valid JSON/],
  ['--body that is not an object', ['delete-group', '--body', '[1]'], /--body must be a JSON object/],
  ['a --body file that does not exist', ['delete-group', '--body', '@/nonexistent/body.json'], /--body @\/nonexistent\/body\.json does not exist/],
  ['--max-attempts 0', ['delete-group', '--user', 'a', '--group', 'b', '--max-attempts', '0'], /--max-attempts must be an integer from 1 to 100/],
  ['--timeout-ms 1.5', ['delete-group', '--user', 'a', '--group', 'b', '--timeout-ms', '1.5'], /--timeout-ms must be an integer/],
  ['--results without --users-file', ['delete-group', '--group', 'b', '--results', 'r.ndjson'], /--results belongs to a bulk run/],
  ['--users-file without --results', ['delete-group', '--group', 'b', '--users-file', 'users.txt'], /a bulk run needs --results FILE/],
  ['--user with --users-file', ['delete-group', '--user', 'a', '--group', 'b', '--users-file', 'u', '--results', 'r'], /either --user .* or --users-file/],
  ['From_Account in a bulk --body', ['delete-group', '--body', '{"From_Account":"a","GroupName":["b"]}', '--users-file', 'u', '--results', 'r'], /leave it out of --body/],
  ['--concurrency 0', ['delete-group', '--group', 'b', '--users-file', 'u', '--results', 'r', '--concurrency', '0'], /--concurrency must be an integer/],
  ['--rate fast', ['delete-group', '--group', 'b', '--users-file', 'u', '--results', 'r', '--rate', 'fast'], /--rate must be a positive integer .* or off/],
  ['--rate above the client maximum', ['delete-group', '--group', 'b', '--users-file', 'u', '--results', 'r', '--rate', '1000000'], /--rate must be 'off' or an integer from 1 to/],
  ['--progress-interval 0', ['delete-group', '--group', 'b', '--users-file', 'u', '--results', 'r', '--progress-interval', '0'], /--progress-interval must be a number of seconds above 0/],
  ['an unknown command', ['delete-groups'], /unknown command 'delete-groups'/],
] as const;

describe('bad flags: exit 2, nothing sent', () => {
  it.concurrent.each(badFlags.filter(([name]) => ['the secret key as a flag', 'a missing --user'].includes(name)))(
    'child process: %s',
    async (_name, args, message) => {
      const result = await runCli(args, env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2');
    },
  );

  it.each(badFlags)('in-process: %s', async (_name, args, message) => {
    const result = await inProcess(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2');
  });
});
