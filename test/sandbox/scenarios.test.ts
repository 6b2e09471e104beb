/**
 * End-to-end scenarios: the typed client → Prism as a validating proxy (no --errors, so it reports rather than
 * rewrites) → the sandbox. Besides the exact codes, every response must pass the spec: no `sl-violations` header
 * and no violation in Prism's log.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startPrism, type PrismServer } from '../../scripts/dev/prism.js';
import { createChatGroupsClient, type ChatGroupsClient } from '../../src/client/client.js';
import { DEVELOPMENT_SECRET_KEY, defaultFixture, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';

const sdkAppId = defaultFixture.sdkAppId;
const admin = 'administrator';
const DAY_MS = 86_400_000;

interface Stack {
  readonly sandbox: RunningSandbox;
  readonly prism: PrismServer;
}

/** Every `sl-violations` header Prism sent back, with the request it belongs to. */
const violations: string[] = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const header = response.headers.get('sl-violations');
  if (header !== null) violations.push(`${response.status} ${header}`);
  return response;
};

/** `retry: false` where a scenario needs the sandbox's first answer rather than the client's recovery from it. */
function client(stack: Stack, options: { identifier?: string; secretKey?: string; retry?: false } = {}): ChatGroupsClient {
  return createChatGroupsClient({
    sdkAppId,
    identifier: options.identifier ?? admin,
    secretKey: options.secretKey ?? DEVELOPMENT_SECRET_KEY,
    baseUrl: stack.prism.url,
    fetch: recordingFetch,
    ...(options.retry === false ? { retry: false } : {}),
  });
}

async function stack(sandbox: Promise<RunningSandbox>): Promise<Stack> {
  const started = await sandbox;
  return { sandbox: started, prism: await startPrism({ mode: 'proxy', upstream: started.url }) };
}

function prismViolations(target: Stack): string[] {
  return target.prism.output().split('\n').filter((line) => /violation/i.test(line));
}

let clockOffsetMs = 0;
let ultimate: Stack;
let standard: Stack;

beforeAll(async () => {
  [ultimate, standard] = await Promise.all([
    // Rate limit off here: the expiry scenario moves this clock by days, which a rate window would remember.
    stack(startSandbox({ clock: () => Date.now() + clockOffsetMs, rateLimit: 'off', allowFaults: true })),
    // A frozen clock and a tiny limit make the rate-limit scenario exact.
    stack(startSandbox({ fixture: { ...defaultFixture, edition: 'standard' }, rateLimit: 2, clock: () => 1_700_000_000_000 })),
  ]);
});

afterAll(async () => {
  for (const target of [ultimate, standard]) {
    await target?.prism.stop();
    await target?.sandbox.close();
  }
});

afterEach(() => {
  expect(violations.splice(0)).toEqual([]);
  expect([...prismViolations(ultimate), ...prismViolations(standard)]).toEqual([]);
});

function errorCodeOf(result: Awaited<ReturnType<ChatGroupsClient['delContactGroup']>>): number | undefined {
  return result.ok ? undefined : result.error.kind === 'api' ? result.error.code : undefined;
}

describe('through the typed client and Prism proxy', () => {
  it('deletes a group, answers its GroupId, and answers 51009 when it is deleted again', async () => {
    const api = client(ultimate);
    const first = await api.delContactGroup({ From_Account: 'alice', GroupName: ['work'] });
    expect(first.ok && first.data.GroupItem).toEqual([{ GroupName: 'work', GroupId: 1 }]);

    const again = await api.delContactGroup({ From_Account: 'alice', GroupName: ['work'] });
    expect(again.ok).toBe(false);
    expect(errorCodeOf(again)).toBe(51009);
    expect(ultimate.sandbox.state.deletionReport().deletedTwice).toEqual([
      { user: 'alice', groupName: 'work', groupId: 1, deletions: 1, repeatsAfterDeletion: 1 },
    ]);
  });

  it('answers 50001 for a user that was never imported', async () => {
    expect(errorCodeOf(await client(ultimate).delContactGroup({ From_Account: 'nobody', GroupName: ['work'] }))).toBe(50001);
  });

  it('answers 51011 for a name over 64 UTF-8 bytes, which the client refuses and is therefore sent raw', async () => {
    const api = client(ultimate);
    // 22 three-byte characters: 66 bytes, yet within the 64 characters that Prism's maxLength counts.
    const body = { From_Account: 'alice', GroupName: ['群'.repeat(22)] as [string] };
    const refused = await api.delContactGroup(body);
    expect(refused.ok === false && refused.error.kind).toBe('validation');

    const raw = await api.raw.POST('/v4/recentcontact/del_contact_group', { body });
    expect(raw.response.status).toBe(200);
    expect(raw.data).toMatchObject({ ActionStatus: 'FAIL', ErrorCode: 51011 });
  });

  it('answers 50003 to an account that is not an app admin', async () => {
    const result = await client(ultimate, { identifier: 'alice' }).delContactGroup({ From_Account: 'alice', GroupName: ['family'] });
    expect(errorCodeOf(result)).toBe(50003);
  });

  it('answers 70009 to a UserSig made with another key', async () => {
    const result = await client(ultimate, { secretKey: 'not-this-apps-key' }).delContactGroup({ From_Account: 'alice', GroupName: ['family'] });
    expect(errorCodeOf(result)).toBe(70009);
    expect(ultimate.sandbox.state.group('alice', 'family')).toBeDefined();
  });

  it('answers 70001 once the UserSig has expired', async () => {
    const api = client(ultimate);
    clockOffsetMs = 2 * DAY_MS; // the client signs for one day
    try {
      expect(errorCodeOf(await api.delContactGroup({ From_Account: 'alice', GroupName: ['family'] }))).toBe(70001);
    } finally {
      clockOffsetMs = 0;
    }
    expect(ultimate.sandbox.state.group('alice', 'family')).toBeDefined();
  });

  it('hands an injected HTTP 502 to the client as a network failure, which Prism accepts as documented', async () => {
    await fetch(`${ultimate.sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ httpStatus: 502 }) });
    const result = await client(ultimate, { retry: false }).delContactGroup({ From_Account: 'bob', GroupName: ['friends'] });
    expect(result.ok === false && result.error.kind).toBe('network');
    expect(ultimate.sandbox.state.group('bob', 'friends')).toBeDefined();
  });

  it('answers 51013 on an app whose edition lacks conversation groups', async () => {
    expect(errorCodeOf(await client(standard).delContactGroup({ From_Account: 'alice', GroupName: ['work'] }))).toBe(51013);
  });

  it('answers 60007 to the call over the rate limit', async () => {
    const api = client(standard, { retry: false });
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) codes.push(errorCodeOf(await api.delContactGroup({ From_Account: 'alice', GroupName: ['work'] })));
    expect(codes.at(-1)).toBe(60007);
  });
});
