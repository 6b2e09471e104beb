/**
 * The client against the sandbox when things go wrong: a delete whose answer was lost, UserSig expiry and set-up
 * mistakes, timeouts, an unreachable primary host, and what the attempt hook and the results let out. Ends by
 * scanning everything captured for the secret key and every UserSig sent.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { regions } from '../../generated/regions.js';
import { createChatGroupsClient, type ChatGroupsClientOptions } from '../../src/client/client.js';
import { DEFAULT_TIMEOUT_MS } from '../../src/client/options.js';
import { ApiError, NetworkError, UnclearOutcomeError } from '../../src/errors.js';
import type { AttemptEvent } from '../../src/client/events.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';
import { generateUserSig, verifyUserSig } from '../../src/usersig/usersig.js';
import { Capture } from '../support/client-capture.js';
import { freePort } from '../support/free-port.js';

const SDK_APP_ID = 1400000000;
const ADMIN = 'administrator';
const DAY_MS = 86_400_000;
const capture = new Capture();

let sandbox: RunningSandbox;
/** A sandbox whose clock runs two days ahead, so every one-day UserSig the client makes is expired there. */
let future: RunningSandbox;
let closedPort: number;

const fixture: Fixture = {
  sdkAppId: SDK_APP_ID,
  admins: [ADMIN],
  edition: 'ultimate',
  users: Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`r${index}`, { groups: { g: [{ Type: 1 as const, To_Account: ADMIN }] } }])),
};
let nextUser = 0;
/** A user of its own for each call that deletes, so tests never see each other's deletions. */
const freshBody = () => ({ From_Account: `r${nextUser++}`, GroupName: ['g'] as [string] });

/** Options are loosely typed here so a test can swap the credential or the endpoint kind by setting one to undefined. */
function client(options: Partial<Record<keyof ChatGroupsClientOptions, unknown>> & { events?: AttemptEvent[] } = {}) {
  const { events, ...rest } = options;
  return createChatGroupsClient({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    secretKey: DEVELOPMENT_SECRET_KEY,
    baseUrl: sandbox.url,
    fetch: capture.fetch(),
    onAttempt: (event) => {
      events?.push(event);
      capture.event(event);
    },
    ...rest,
  } as ChatGroupsClientOptions);
}

async function fault(target: RunningSandbox, request: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${target.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify(request) });
  expect(response.status).toBe(201);
}

/** A UserSig provider that records every sig it hands out. */
function recordingProvider(make: () => string) {
  const handedOut: string[] = [];
  const provider = vi.fn(() => {
    const userSig = make();
    handedOut.push(userSig);
    capture.userSigs.add(userSig);
    return userSig;
  });
  return { provider, handedOut };
}

beforeAll(async () => {
  capture.start();
  [sandbox, future, closedPort] = await Promise.all([
    startSandbox({ port: 0, allowFaults: true, fixture }),
    startSandbox({ port: 0, fixture, clock: () => Date.now() + 2 * DAY_MS }),
    freePort(),
  ]);
});

afterAll(async () => {
  capture.stop();
  await Promise.all([sandbox?.close(), future?.close()]);
});

describe('a delete whose answer was lost', () => {
  it('reports "unclear" when the connection dropped after the delete and the retry got 51009', async () => {
    await fault(sandbox, { count: 1, operation: 'delContactGroup', drop: true, afterProcessing: true });
    const body = freshBody();
    const result = capture.result(await client({ retry: { baseDelayMs: 1 } }).delContactGroup(body));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const { error } = result;
    expect(error).toBeInstanceOf(UnclearOutcomeError);
    // Not a plain failure: a caller checking for "group not found" (kind api, 51009) does not match it.
    expect(error.kind).toBe('unclear');
    expect(error).not.toBeInstanceOf(ApiError);
    if (error.kind !== 'unclear') return;
    expect(error).toMatchObject({ code: 51009, retryable: false, random: result.random });
    expect(error.answer).toBeInstanceOf(ApiError);
    expect(error.answer.code).toBe(51009);
    expect(error.unanswered).toEqual([{ attempt: 1, random: result.attempts[0]?.random, reason: 'connection' }]);
    expect(error.message).toContain('may have been deleted');
    expect(result.attempts.map((attempt) => attempt.outcome.kind)).toEqual(['network', 'api']);
    // The sandbox confirms what the client could only suspect: the first attempt deleted the group.
    const record = sandbox.state.deletionReport().groups.find((group) => group.user === body.From_Account);
    expect(record).toMatchObject({ deletions: 1, repeatsAfterDeletion: 1 });
  });

  it('keeps a plain 51009 a plain ApiError when no earlier attempt went unanswered', async () => {
    const chat = client();
    const body = freshBody();
    expect(capture.result(await chat.delContactGroup(body)).ok).toBe(true);
    const again = capture.result(await chat.delContactGroup(body));
    expect(again.ok ? undefined : again.error).toBeInstanceOf(ApiError);
    expect(again.ok ? undefined : again.error.kind).toBe('api');
  });
});

describe('UserSig', () => {
  it('re-signs once on 70001 and fails fast, pointing at the clock, when the new sig is expired too', async () => {
    const events: AttemptEvent[] = [];
    const { provider, handedOut } = recordingProvider(() =>
      generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 86_400 + capture.userSigs.size }),
    );
    const result = capture.result(await client({ baseUrl: future.url, secretKey: undefined, userSig: provider, events }).delContactGroup(freshBody()));
    expect(result.ok ? 0 : result.error.code).toBe(70001);
    expect(result.attempts.map((attempt) => attempt.outcome.code)).toEqual([70001, 70001]);
    expect(events.map((event) => event.next)).toEqual([
      { action: 'retry', reason: 're-sign', delayMs: 0 },
      { action: 'stop', reason: 'already-re-signed' },
    ]);
    expect(handedOut).toHaveLength(2);
    expect(result.ok ? '' : result.error.message).toMatch(/newly made UserSig counts as expired: the clock of this machine/);
  });

  it('replaces an expired UserSig on 70001 and succeeds', async () => {
    // The first sig expired a minute ago; the provider hands out fresh ones after that.
    const { provider, handedOut } = recordingProvider(() => {
      const now = Math.floor(Date.now() / 1000);
      return handedOut.length === 0
        ? generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 60, now: now - 120 })
        : generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 86_400, now });
    });
    const result = capture.result(await client({ secretKey: undefined, userSig: provider }).delContactGroup(freshBody()));
    expect(result.ok).toBe(true);
    expect(result.attempts.map((attempt) => attempt.outcome.code)).toEqual([70001, 0]);
    expect(handedOut).toHaveLength(2);
  });

  it('shares one UserSig request among concurrent calls (single flight)', async () => {
    const { provider } = recordingProvider(() =>
      generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 86_400 }),
    );
    const slow = vi.fn(() => new Promise<string>((resolve) => setTimeout(() => resolve(provider()), 50)));
    const chat = client({ secretKey: undefined, userSig: slow });
    const results = await Promise.all(Array.from({ length: 12 }, () => chat.delContactGroup(freshBody()).then((result) => capture.result(result))));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(slow).toHaveBeenCalledTimes(1);
  });

  it('replaces the UserSig before it expires, by the configured margin', async () => {
    // Sigs valid for 3 s with a 2 s margin: replaced within a second, while still valid.
    const { provider, handedOut } = recordingProvider(() =>
      generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 3 }),
    );
    const chat = client({ secretKey: undefined, userSig: provider, userSigRefreshMarginSeconds: 2 });
    expect(capture.result(await chat.delContactGroup(freshBody())).ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(capture.result(await chat.delContactGroup(freshBody())).ok).toBe(true);
    expect(handedOut).toHaveLength(2);
    const [first] = handedOut;
    expect(verifyUserSig(DEVELOPMENT_SECRET_KEY, first ?? '', { sdkAppId: SDK_APP_ID, identifier: ADMIN })).toMatchObject({ ok: true });
  });

  it.each([
    [
      'the key of another app',
      { secretKey: 'f'.repeat(64) },
      70009,
      /belongs to another app than SDKAppID 1400000000/,
    ],
    [
      'a provider signing for another account',
      {
        secretKey: undefined,
        userSig: () => generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: 'someone_else', expireSeconds: 86_400 }),
      },
      70013,
      /made for another account than the identifier "administrator"; the provider must sign for the same identifier/,
    ],
    [
      'an SDKAppID the data center does not know',
      { sdkAppId: SDK_APP_ID + 1 },
      70020,
      /SDKAppID 1400000001 was not found at the base URL's host .*another data center/,
    ],
  ])('fails fast on %s, with a message that names the likely cause', async (_case, overrides, code, hint) => {
    const result = capture.result(await client(overrides).delContactGroup(freshBody()));
    expect(result.attempts).toHaveLength(1);
    if (result.ok || result.error.kind !== 'api') throw new Error('expected an ApiError');
    expect(result.error).toMatchObject({ code, retryable: false });
    expect(result.error.message).toMatch(hint);
    expect(result.error.hint).toMatch(hint);
  });
});

describe('timeouts', () => {
  it('defaults to a per-attempt timeout above the vendor\'s own 3 s', () => {
    expect(DEFAULT_TIMEOUT_MS).toBeGreaterThan(3_000);
  });

  it('gives up an attempt after timeoutMs (per call or per client) and retries it', async () => {
    await fault(sandbox, { count: 1, operation: 'delContactGroup', delayMs: 1_000 });
    const result = capture.result(await client({ retry: { baseDelayMs: 1 } }).delContactGroup(freshBody(), { timeoutMs: 60 }));
    expect(result.ok).toBe(true);
    expect(result.attempts[0]?.outcome).toMatchObject({ kind: 'network', reason: 'timeout', delivery: 'unknown' });
    // It timed out rather than waiting for the answer delayed by a second (outcome above), and not before its time:
    // attempts that start together share one timer, and each still gets its full timeout.
    expect(result.attempts[0]?.durationMs).toBeGreaterThanOrEqual(59);
  });

  it('reports a caller\'s abort in flight as aborted, and does not retry it', async () => {
    await fault(sandbox, { count: 1, operation: 'delContactGroup', delayMs: 300 });
    const result = capture.result(await client().delContactGroup(freshBody(), { signal: AbortSignal.timeout(50) }));
    expect(result.attempts).toHaveLength(1);
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: 'network', reason: 'timeout' });
    const aborter = new AbortController();
    await fault(sandbox, { count: 1, operation: 'delContactGroup', delayMs: 300 });
    setTimeout(() => aborter.abort(), 50);
    const aborted = capture.result(await client().delContactGroup(freshBody(), { signal: aborter.signal }));
    expect(aborted.attempts).toHaveLength(1);
    expect(aborted.ok ? undefined : aborted.error).toMatchObject({ kind: 'network', reason: 'aborted', retryable: false });
  });
});

describe('failover to the backup host', () => {
  it('sends to the backup when the primary refuses connections, says so, and stays there', async () => {
    const chat = client({ baseUrl: `http://127.0.0.1:${closedPort}`, backupBaseUrl: sandbox.url, retry: false });
    const result = capture.result(await chat.delContactGroup(freshBody()));
    const backupHost = new URL(sandbox.url).host;
    expect(result).toMatchObject({ ok: true, host: backupHost, endpoint: 'backup' });
    expect(result.attempts.map((attempt) => [attempt.host, attempt.endpoint, attempt.outcome.kind])).toEqual([
      [`127.0.0.1:${closedPort}`, 'primary', 'network'],
      [backupHost, 'backup', 'ok'],
    ]);
    expect(result.attempts[0]?.outcome).toMatchObject({ reason: 'connection', delivery: 'not-sent', causeCode: 'ECONNREFUSED' });
    const next = capture.result(await chat.delContactGroup(freshBody()));
    expect(next).toMatchObject({ ok: true, host: backupHost, endpoint: 'backup' });
    expect(next.attempts).toHaveLength(1);
  });

  it('fails over at once, without a backoff wait, when the primary host does not resolve (.invalid never does)', async () => {
    const result = capture.result(await client({ baseUrl: 'https://chat-primary.invalid', backupBaseUrl: sandbox.url }).delContactGroup(freshBody()));
    expect(result.attempts.map((attempt) => attempt.endpoint)).toEqual(['primary', 'backup']);
    expect(result).toMatchObject({ ok: true, host: new URL(sandbox.url).host, endpoint: 'backup' });
    expect(result.attempts[0]?.outcome).toMatchObject({ kind: 'network', delivery: 'not-sent', causeCode: 'ENOTFOUND' });
  });

  it('does not fail over when failover is off', async () => {
    const result = capture.result(
      await client({ baseUrl: `http://127.0.0.1:${closedPort}`, backupBaseUrl: sandbox.url, failover: false, retry: false }).delContactGroup(freshBody()),
    );
    expect(result.attempts).toHaveLength(1);
    expect(result.ok ? undefined : result.error).toBeInstanceOf(NetworkError);
    expect(result).toMatchObject({ host: `127.0.0.1:${closedPort}`, endpoint: 'primary' });
  });

  it("uses the region's documented backup domain", async () => {
    const region = 'singapore';
    const seen: string[] = [];
    // No traffic leaves: the primary fails as an unresolvable host would, the backup answers like the sandbox.
    const networkStub: typeof fetch = async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      seen.push(url.origin);
      if (url.origin === regions[region].url) {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }) });
      }
      return new Response(JSON.stringify({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', GroupItem: [] }), { status: 200 });
    };
    const result = capture.result(await client({ baseUrl: undefined, region, fetch: capture.fetch(networkStub) }).delContactGroup(freshBody()));
    expect(seen).toEqual([regions[region].url, regions[region].backupUrl]);
    expect(result).toMatchObject({ ok: true, host: new URL(regions[region].backupUrl).host, endpoint: 'backup' });
  });
});

describe('regions for which no vendor page lists a backup domain', () => {
  /** Every primary host is unresolvable; any other host answers success. Records every URL a request went to. */
  function unreachablePrimaries(seen: URL[]): typeof fetch {
    const primaries = new Set<string>(Object.values(regions).map((region) => region.url));
    return async (input) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      seen.push(url);
      if (primaries.has(url.origin)) {
        throw new TypeError('fetch failed', { cause: Object.assign(new Error(`getaddrinfo ENOTFOUND ${url.hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }) });
      }
      return new Response(JSON.stringify({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', GroupItem: [] }), { status: 200 });
    };
  }

  it('are Tokyo and Riyadh', () => {
    expect(Object.entries(regions).filter(([, region]) => region.backupUrl === null).map(([name]) => name)).toEqual(['tokyo', 'riyadh']);
  });

  it.each(['tokyo', 'riyadh'] as const)('a %s client whose primary is unreachable never sends the request (nor the UserSig) to another host', async (region) => {
    const seen: URL[] = [];
    const result = capture.result(
      await client({ baseUrl: undefined, region, retry: { baseDelayMs: 1, maxDelayMs: 1 }, fetch: capture.fetch(unreachablePrimaries(seen)) }).delContactGroup(freshBody()),
    );
    expect(result.ok ? undefined : result.error).toBeInstanceOf(NetworkError);
    expect(seen.length).toBeGreaterThan(1);
    expect(new Set(seen.map((url) => url.origin))).toEqual(new Set([regions[region].url]));
    expect(result.attempts.every((attempt) => attempt.endpoint === 'primary')).toBe(true);
  });

  it.each(['tokyo', 'riyadh'] as const)('a %s client fails over to a backupBaseUrl the caller names', async (region) => {
    const seen: URL[] = [];
    const chat = client({ baseUrl: undefined, region, backupBaseUrl: 'https://chat-backup.test', retry: false, fetch: capture.fetch(unreachablePrimaries(seen)) });
    const result = capture.result(await chat.delContactGroup(freshBody()));
    expect(seen.map((url) => url.origin)).toEqual([regions[region].url, 'https://chat-backup.test']);
    expect(result).toMatchObject({ ok: true, host: 'chat-backup.test', endpoint: 'backup' });
  });
});

describe('observability', () => {
  it('reports one event per attempt with operation, attempt, random, host, duration and outcome code; usersig redacted', async () => {
    await fault(sandbox, { count: 1, operation: 'delContactGroup', errorCode: 50004 });
    const events: AttemptEvent[] = [];
    const result = capture.result(await client({ events, retry: { baseDelayMs: 1 } }).delContactGroup(freshBody()));
    expect(result.ok).toBe(true);
    expect(events).toHaveLength(2);
    events.forEach((event, index) => {
      const attempt = result.attempts[index];
      expect(event).toMatchObject({ operationId: 'delContactGroup', attempt: index + 1, random: attempt?.random, host: new URL(sandbox.url).host });
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.url).toContain('usersig=REDACTED');
      expect(new URL(event.url).searchParams.get('random')).toBe(String(event.random));
    });
    expect(events.map((event) => event.outcome.code)).toEqual([50004, 0]);
  });

  it('goes on when the hook throws, and reports the hook failure as a process warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      const result = capture.result(
        await client({
          onAttempt: () => {
            throw new Error('logger down');
          },
        }).delContactGroup(freshBody()),
      );
      expect(result.ok).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.some((message) => message.includes('onAttempt hook threw'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('resilience options', () => {
  const base = { sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: DEVELOPMENT_SECRET_KEY };
  it.each([
    ['a backup URL beside a region whose backup the vendor lists', { region: 'singapore', backupBaseUrl: 'https://backup.test' }, 'backupBaseUrl'],
    ['a backup URL over plain http to a remote host', { baseUrl: 'https://primary.test', backupBaseUrl: 'http://backup.test' }, 'backupBaseUrl'],
    ['no attempts at all', { baseUrl: 'https://primary.test', retry: { maxAttempts: 0 } }, 'retry.maxAttempts'],
    ['an unknown retry setting', { baseUrl: 'https://primary.test', retry: { attempts: 3 } }, 'retry.attempts'],
    ['a negative wait', { baseUrl: 'https://primary.test', retry: { baseDelayMs: -1 } }, 'retry.baseDelayMs'],
    ['a timeout of zero', { baseUrl: 'https://primary.test', timeoutMs: 0 }, 'timeoutMs'],
    ['a hook that is not a function', { baseUrl: 'https://primary.test', onAttempt: 'log' }, 'onAttempt'],
    ['a clock without timers', { baseUrl: 'https://primary.test', clock: { now: () => 0 } }, 'clock'],
    ['failover that is not a boolean', { baseUrl: 'https://primary.test', failover: 'yes' }, 'failover'],
  ])('refuses %s, naming the option', (_case, overrides, option) => {
    expect(() => createChatGroupsClient({ ...base, ...overrides } as unknown as ChatGroupsClientOptions)).toThrow(
      expect.objectContaining({ option }) as Error,
    );
  });

  it('rejects a call whose own timeoutMs is out of range, sending nothing', async () => {
    let sent = 0;
    const counting: typeof fetch = (input, init) => {
      sent += 1;
      return fetch(input, init);
    };
    const chat = client({ fetch: counting });
    await expect(chat.delContactGroup(freshBody(), { timeoutMs: 0 })).rejects.toThrow(RangeError);
    expect(sent).toBe(0);
  });
});

describe('secrets', () => {
  it('leaks no secret key and no UserSig in any event, result, error or output these tests captured', () => {
    expect(capture.userSigs.size).toBeGreaterThan(3);
    expect(capture.texts.length).toBeGreaterThan(100);
    expect(capture.leaks([DEVELOPMENT_SECRET_KEY, 'f'.repeat(64), ...capture.userSigs])).toEqual([]);
  });
});

