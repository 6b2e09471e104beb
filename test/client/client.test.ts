import { inspect } from 'node:util';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  ChatGroupsError,
  ClientOptionsError,
  NetworkError,
  RequestValidationError,
  UnexpectedAnswerError,
  UserSigError,
  createChatGroupsClient,
  decodeUserSig,
  errorCodes,
  generateUserSig,
  redactUrl,
  regions,
  requestRandom,
  signingQueryParams,
  verifyUserSig,
  type CallResult,
  type ChatGroupsClientOptions,
  type DelContactGroupRequest,
  type RegionName,
} from '../../src/index.js';
import { operations } from '../../generated/operations.js';
import { operationErrorCodes } from '../../generated/error-codes.js';

// The placeholder pair every official UserSig library test uses; not a real app.
const secretKey = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const sdkAppId = 1400000000;
const identifier = 'administrator';
const baseUrl = 'https://chat.test';

const operation = operations.delContactGroup;
const groupNameSchema = operation.requestSchema.properties.GroupName.items;
const maxNameBytes = groupNameSchema['x-max-bytes'];
const tooLongNameCode = groupNameSchema['x-max-bytes-error-code'];

const spec = JSON.parse(readFileSync(new URL('../../generated/openapi.json', import.meta.url), 'utf8')) as {
  components: { examples: Record<string, { value: unknown }> };
};
const successBody = spec.components.examples['DelContactGroupSuccess']?.value as Record<string, unknown>;

const validBody: DelContactGroupRequest = { From_Account: 'user_0001', GroupName: ['group_0001'] };

interface Sent {
  readonly url: URL;
  readonly body: unknown;
  readonly headers: Headers;
}

type Answer = (request: Request, sent: Sent) => Response | Promise<Response>;

function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' }, ...init });
}

function failure(code: number, info = `failure ${code}`, extra: Record<string, unknown> = {}): Response {
  return json({ ActionStatus: 'FAIL', ErrorCode: code, ErrorInfo: info, ...extra });
}

/** A fetch that records what the client sent and answers with `answer` (the spec's success example by default). */
function stubFetch(answer: Answer = () => json(successBody)) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (request: Request) => {
    const record: Sent = { url: new URL(request.url), body: JSON.parse(await request.clone().text()), headers: request.headers };
    sent.push(record);
    return answer(request, record);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls: fetch, sent };
}

/**
 * These tests look at single attempts, so retries are off; retries, limits and failover are tested against the
 * sandbox in test/client-*.test.ts.
 */
function client(fetch: typeof globalThis.fetch, overrides: Partial<Record<keyof ChatGroupsClientOptions, unknown>> = {}) {
  return createChatGroupsClient({ sdkAppId, identifier, secretKey, baseUrl, fetch, retry: false, ...overrides } as ChatGroupsClientOptions);
}

function queryOf(sent: Sent | undefined): Record<string, string[]> {
  if (sent === undefined) throw new Error('nothing was sent');
  const query: Record<string, string[]> = {};
  for (const [name, value] of sent.url.searchParams) (query[name] ??= []).push(value);
  return query;
}

function single(sent: Sent | undefined, name: string): string {
  const values = queryOf(sent)[name];
  if (values?.length !== 1 || values[0] === undefined) throw new Error(`expected exactly one ${name}, got ${String(values)}`);
  return values[0];
}

function failed<Op extends 'delContactGroup'>(result: CallResult<Op>) {
  if (result.ok) throw new Error('expected a failure');
  return result;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('signing', () => {
  it('sends exactly the five signing parameters, with the configured app, admin and contenttype=json', async () => {
    const stub = stubFetch();
    await client(stub.fetch).delContactGroup(validBody);
    const query = queryOf(stub.sent[0]);
    expect(Object.keys(query).sort()).toEqual([...signingQueryParams].sort());
    expect(single(stub.sent[0], 'sdkappid')).toBe(String(sdkAppId));
    expect(single(stub.sent[0], 'identifier')).toBe(identifier);
    expect(single(stub.sent[0], 'contenttype')).toBe('json');
    expect(stub.sent[0]?.url.pathname).toBe(operation.path);
    expect(stub.sent[0]?.body).toEqual(validBody);
  });

  it('sends a UserSig that verifies for the configured secret key, SDKAppID and admin account only', async () => {
    const stub = stubFetch();
    await client(stub.fetch).delContactGroup(validBody);
    const userSig = single(stub.sent[0], 'usersig');
    expect(verifyUserSig(secretKey, userSig, { sdkAppId, identifier })).toMatchObject({ ok: true });
    expect(verifyUserSig(`${secretKey}x`, userSig, { sdkAppId, identifier })).toMatchObject({ ok: false, reason: 'signature-mismatch' });
    expect(verifyUserSig(secretKey, userSig, { sdkAppId, identifier: 'someone_else' })).toMatchObject({ ok: false });
  });

  it('gives every request a fresh uint32 random and reports it as result.random', async () => {
    const stub = stubFetch();
    const chat = client(stub.fetch);
    const results = [];
    for (let index = 0; index < 40; index += 1) results.push(await chat.delContactGroup(validBody));
    const randoms = stub.sent.map((sent) => Number(single(sent, 'random')));
    for (const random of randoms) {
      expect(Number.isInteger(random) && random >= 0 && random <= 0xffff_ffff).toBe(true);
    }
    expect(new Set(randoms).size).toBe(randoms.length);
    expect(results.map((result) => result.random)).toEqual(randoms);
  });

  it('keeps each concurrent call paired with its own random when answers arrive out of order', async () => {
    const stub = stubFetch(async () => {
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 20)));
      return json(successBody);
    });
    const chat = client(stub.fetch);
    const accounts = Array.from({ length: 24 }, (_, index) => `user_${index}`);
    const results = await Promise.all(accounts.map((account) => chat.delContactGroup({ From_Account: account, GroupName: ['g'] })));
    const sentRandomByAccount = new Map(
      stub.sent.map((sent) => [(sent.body as DelContactGroupRequest).From_Account, Number(single(sent, 'random'))]),
    );
    results.forEach((result, index) => expect(result.random).toBe(sentRandomByAccount.get(accounts[index] ?? '')));
  });

  it('asks a UserSig provider once and reuses its sig across many sequential and concurrent calls', async () => {
    const provider = vi.fn(() => generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds: 86_400 }));
    const stub = stubFetch();
    const chat = client(stub.fetch, { secretKey: undefined, userSig: provider });
    await Promise.all(Array.from({ length: 10 }, () => chat.delContactGroup(validBody)));
    for (let index = 0; index < 20; index += 1) await chat.delContactGroup(validBody);
    expect(provider).toHaveBeenCalledTimes(1);
    expect(new Set(stub.sent.map((sent) => single(sent, 'usersig'))).size).toBe(1);
  });

  it('reuses one generated UserSig while it is valid and generates a new one shortly before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    const expireSeconds = 7_200;
    const stub = stubFetch();
    const chat = client(stub.fetch, { userSigExpireSeconds: expireSeconds });
    await chat.delContactGroup(validBody);
    // An hour later a sig signed anew would carry another TLS.time; the cached one does not.
    vi.setSystemTime(Date.now() + 3_600_000);
    await chat.delContactGroup(validBody);
    vi.setSystemTime(Date.now() + 3_599_000);
    await chat.delContactGroup(validBody);
    const sigs = stub.sent.map((sent) => single(sent, 'usersig'));
    expect(sigs[1]).toBe(sigs[0]);
    expect(sigs[2]).not.toBe(sigs[0]);
    expect(decodeUserSig(sigs[0] ?? '').expire).toBe(expireSeconds);
    expect(verifyUserSig(secretKey, sigs[2] ?? '', { sdkAppId, identifier, now: Math.floor(Date.now() / 1000) })).toMatchObject({ ok: true });
  });

  it('replaces the UserSig after the service answers that it expired', async () => {
    const provider = vi.fn(() => generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds: 86_400 }));
    const expiredCode = Object.values(errorCodes).find((info) => info.strategy === 're-sign-once')?.code ?? Number.NaN;
    const stub = stubFetch((_request, sent) => (sent === stub.sent[0] ? failure(expiredCode) : json(successBody)));
    const chat = client(stub.fetch, { secretKey: undefined, userSig: provider });
    const first = await chat.delContactGroup(validBody);
    expect(first.ok ? undefined : first.error.code).toBe(expiredCode);
    expect((await chat.delContactGroup(validBody)).ok).toBe(true);
    expect(provider).toHaveBeenCalledTimes(2);
  });

  it('resolves with a UserSigError naming the provider\'s error, sending nothing, when no UserSig can be had', async () => {
    const outage = Object.assign(new Error('signing service unavailable'), { code: 'ESIGNER' });
    const stub = stubFetch();
    const chat = client(stub.fetch, { secretKey: undefined, userSig: () => Promise.reject(outage) });
    const result = failed(await chat.delContactGroup(validBody));
    expect(stub.calls).not.toHaveBeenCalled();
    expect(result.error).toBeInstanceOf(UserSigError);
    expect(result.error).toMatchObject({ kind: 'usersig', reason: 'provider-error', delivery: 'not-sent', retryable: false, code: undefined });
    expect(result.error.message).toContain('signing service unavailable');
    expect((result.error.cause as Error & { code?: string }).code).toBe('ESIGNER');
    expect(result.attempts).toHaveLength(1);
    expect(result.attempts[0]?.outcome).toEqual({ kind: 'usersig', code: undefined, reason: 'provider-error' });
  });

  it('signs client.raw requests and overrides signing parameters a caller smuggles in', async () => {
    const stub = stubFetch();
    const chat = client(stub.fetch);
    const { response } = await chat.raw.POST(operation.path, {
      body: validBody,
      params: { query: { usersig: 'forged', random: 7, sdkappid: 1 } } as never,
    });
    const userSig = single(stub.sent[0], 'usersig');
    expect(verifyUserSig(secretKey, userSig, { sdkAppId, identifier })).toMatchObject({ ok: true });
    expect(single(stub.sent[0], 'sdkappid')).toBe(String(sdkAppId));
    expect(requestRandom(response)).toBe(Number(single(stub.sent[0], 'random')));
    expect(requestRandom(response)).not.toBe(7);
  });

  it('signs a typed call and a client.raw request alike: the same parameters, in the same order, with the same UserSig', async () => {
    const provider = vi.fn(() => generateUserSig({ secretKey, sdkAppId, identifier, expireSeconds: 86_400 }));
    const stub = stubFetch();
    const chat = client(stub.fetch, { secretKey: undefined, userSig: provider });
    await chat.delContactGroup(validBody);
    await chat.raw.POST(operation.path, { body: validBody });
    const [typed, raw] = stub.sent.map((sent) => [...sent.url.searchParams.keys()]);
    expect(typed).toEqual([...signingQueryParams]);
    expect(raw).toEqual(typed);
    for (const name of signingQueryParams.filter((param) => param !== 'random')) {
      expect(single(stub.sent[1], name)).toBe(single(stub.sent[0], name));
    }
    expect(provider).toHaveBeenCalledTimes(1);
  });

  it('passes caller headers through', async () => {
    const stub = stubFetch();
    await client(stub.fetch).delContactGroup(validBody, { headers: { 'x-trace-id': 'abc' } });
    expect(stub.sent[0]?.headers.get('x-trace-id')).toBe('abc');
    expect(stub.sent[0]?.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('regions', () => {
  it.each(Object.keys(regions) as RegionName[])('sends requests for region %s to its documented domain', async (region) => {
    const stub = stubFetch();
    await client(stub.fetch, { baseUrl: undefined, region }).delContactGroup(validBody);
    expect(stub.sent[0]?.url.origin).toBe(new URL(regions[region].url).origin);
    expect(stub.sent[0]?.url.pathname).toBe(operation.path);
  });

  it('keeps a path prefix of a custom baseUrl', async () => {
    const stub = stubFetch();
    await client(stub.fetch, { baseUrl: 'http://127.0.0.1:9/prefix/' }).delContactGroup(validBody);
    expect(stub.sent[0]?.url.pathname).toBe(`/prefix${operation.path}`);
  });
});

describe('options', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['neither secretKey nor userSig', { secretKey: undefined }, 'secretKey/userSig'],
    ['both secretKey and userSig', { userSig: () => 'sig' }, 'secretKey/userSig'],
    ['neither region nor baseUrl', { baseUrl: undefined }, 'region/baseUrl'],
    ['both region and baseUrl', { region: 'singapore' }, 'region/baseUrl'],
    ['an unknown region', { baseUrl: undefined, region: 'atlantis' }, 'region'],
    ['an SDKAppID of 0', { sdkAppId: 0 }, 'sdkAppId'],
    ['a fractional SDKAppID', { sdkAppId: 1.5 }, 'sdkAppId'],
    ['an SDKAppID above 32 bits', { sdkAppId: 2 ** 32 }, 'sdkAppId'],
    ['an empty identifier', { identifier: '' }, 'identifier'],
    ['an empty secretKey', { secretKey: '' }, 'secretKey'],
    ['a userSig that is not a function', { secretKey: undefined, userSig: 'sig' }, 'userSig'],
    ['a baseUrl that is not a URL', { baseUrl: 'chat.test' }, 'baseUrl'],
    ['plain http to a remote host', { baseUrl: 'http://chat.test' }, 'baseUrl'],
    ['a baseUrl with a query', { baseUrl: 'https://chat.test/?usersig=x' }, 'baseUrl'],
    ['a UserSig validity shorter than the refresh margin', { userSigExpireSeconds: 60 }, 'userSigExpireSeconds'],
    ['a fetch that is not a function', { fetch: 'fetch' }, 'fetch'],
    ['a signing parameter passed as an option', { usersig: 'x' }, 'usersig'],
  ];

  it.each(cases)('refuses %s, naming the option and never the secret key', (_case, overrides, option) => {
    const attempt = () => client(stubFetch().fetch, overrides);
    expect(attempt).toThrow(ClientOptionsError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ option });
      expect((error as Error).message).toContain(option);
      expect((error as Error).message.length).toBeGreaterThan(`Invalid chat groups client option ${option}: `.length);
      expect(inspect(error)).not.toContain(secretKey);
    }
  });

  it('accepts http for a loopback sandbox', () => {
    expect(() => client(stubFetch().fetch, { baseUrl: 'http://localhost:4010' })).not.toThrow();
  });
});

describe('validation before sending', () => {
  function multiByteName(bytes: number): string {
    // Three-byte characters, padded with one-byte ones to the exact length.
    const wide = '中'.repeat(Math.floor(bytes / 3));
    return wide + 'a'.repeat(bytes - Buffer.byteLength(wide));
  }

  it('refuses a group name one byte over the limit without sending, naming field, rule and byte length', async () => {
    const name = multiByteName(maxNameBytes + 1);
    expect([...name].length).toBeLessThanOrEqual(maxNameBytes);
    const stub = stubFetch();
    const result = failed(await client(stub.fetch).delContactGroup({ From_Account: 'user_0001', GroupName: [name] }));
    expect(stub.calls).not.toHaveBeenCalled();
    expect(result.error).toBeInstanceOf(RequestValidationError);
    expect(result.error).toMatchObject({ kind: 'validation', field: 'GroupName[0]', rule: 'x-max-bytes', code: tooLongNameCode, retryable: false });
    expect(result.error.meaning).toBe(errorCodes[tooLongNameCode].meaning);
    expect(result.error.message).toContain('GroupName[0]');
    expect(result.error.message).toContain('x-max-bytes');
    expect(result.error.message).toContain(`${maxNameBytes + 1} UTF-8 bytes`);
    expect('random' in result).toBe(false);
  });

  it('sends a multi-byte group name of exactly the byte limit', async () => {
    const stub = stubFetch();
    const result = await client(stub.fetch).delContactGroup({ From_Account: 'user_0001', GroupName: [multiByteName(maxNameBytes)] });
    expect(result.ok).toBe(true);
    expect(stub.calls).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['two group names', { From_Account: 'user_0001', GroupName: ['a', 'b'] }, 'GroupName', 'maxItems'],
    ['no group name', { From_Account: 'user_0001', GroupName: [] }, 'GroupName', 'minItems'],
    ['an empty From_Account', { From_Account: '', GroupName: ['a'] }, 'From_Account', 'minLength'],
    ['a missing From_Account', { GroupName: ['a'] }, 'From_Account', 'required'],
    ['a group name that is a number', { From_Account: 'user_0001', GroupName: [7] }, 'GroupName[0]', 'type'],
  ])('refuses %s without sending, with the bad-request code', async (_case, body, field, rule) => {
    const stub = stubFetch();
    const result = failed(await client(stub.fetch).delContactGroup(body as unknown as DelContactGroupRequest));
    expect(stub.calls).not.toHaveBeenCalled();
    expect(result.error).toMatchObject({ kind: 'validation', field, rule, code: operation.badRequestErrorCode });
    expect(result.error.message).toContain(field);
    expect(result.error.message).toContain(rule);
    expect(result.random).toBeUndefined();
  });
});

describe('answers', () => {
  const everyDocumentedCode = Object.values(errorCodes).map((info) => info.code);

  it.each(everyDocumentedCode)('turns ErrorCode %i into an ApiError with the meaning and retryability of the table', async (code) => {
    const stub = stubFetch(() => failure(code, `info for ${code}`, { ErrorDisplay: `display ${code}` }));
    const result = failed(await client(stub.fetch).delContactGroup(validBody));
    const expected = errorCodes[code as keyof typeof errorCodes];
    expect(result.error).toBeInstanceOf(ApiError);
    expect(result.error).toBeInstanceOf(ChatGroupsError);
    expect(result.error).toMatchObject({
      kind: 'api',
      code,
      meaning: expected.meaning,
      retryable: expected.retryable,
      strategy: expected.strategy,
      scope: expected.scope,
      documented: true,
      info: `info for ${code}`,
      display: `display ${code}`,
      operationId: 'delContactGroup',
      random: Number(single(stub.sent[0], 'random')),
    });
    expect(result.random).toBe(Number(single(stub.sent[0], 'random')));
    expect(result.error.message).toContain(`${operation.vendorCommand} failed with ${code}: ${expected.meaning}`);
    expect(result.error.message).toContain(`info for ${code}`);
    expect(result.error.message).toContain(`random ${result.random}`);
  });

  it('covers each code the operation documents', () => {
    expect(operationErrorCodes.delContactGroup.every((code) => everyDocumentedCode.includes(code))).toBe(true);
  });

  it('passes an undocumented ErrorCode through as a non-retryable ApiError', async () => {
    let code = 99_999;
    while (code in errorCodes) code -= 1;
    const stub = stubFetch(() => failure(code, 'something new'));
    const result = failed(await client(stub.fetch).delContactGroup(validBody));
    expect(result.error).toMatchObject({ kind: 'api', code, documented: false, retryable: false, strategy: 'none', scope: 'unknown', info: 'something new' });
    expect(result.error.message).toContain(String(code));
  });

  it('returns the whole success body as data', async () => {
    const stub = stubFetch();
    const result = await client(stub.fetch).delContactGroup(validBody);
    expect(result).toMatchObject({ ok: true, data: successBody, operationId: 'delContactGroup' });
  });

  it('turns HTTP 502 into a retryable NetworkError carrying the status and the redacted URL', async () => {
    const stub = stubFetch(() => new Response('<html>Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const result = failed(await client(stub.fetch).delContactGroup(validBody));
    expect(result.error).toBeInstanceOf(NetworkError);
    expect(result.error).toMatchObject({ kind: 'network', reason: 'http-status', status: 502, retryable: true, code: undefined });
    expect(result.random).toBe(Number(single(stub.sent[0], 'random')));
    expect((result.error as NetworkError).url).toContain('usersig=REDACTED');
    expect(result.error.message).toContain('502');
  });

  it('turns a rejected fetch into a NetworkError that keeps the error code of its cause', async () => {
    const stub = stubFetch(() => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' }) });
    });
    const result = failed(await client(stub.fetch).delContactGroup(validBody));
    expect(result.error).toMatchObject({ kind: 'network', reason: 'connection', retryable: true });
    expect(result.random).toBe(Number(single(stub.sent[0], 'random')));
    const cause = (result.error as NetworkError).cause as Error;
    expect(cause.message).toBe('fetch failed');
    expect((cause.cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('reports an aborted call as aborted and an expired timeout signal as timeout', async () => {
    const hang: Answer = (request) =>
      new Promise((_resolve, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason)));
    const controller = new AbortController();
    const chat = client(stubFetch(hang).fetch);
    const aborted = chat.delContactGroup(validBody, { signal: controller.signal });
    setTimeout(() => controller.abort(), 5);
    expect(failed(await aborted).error).toMatchObject({ kind: 'network', reason: 'aborted' });
    const timedOut = failed(await chat.delContactGroup(validBody, { signal: AbortSignal.timeout(5) }));
    expect(timedOut.error).toMatchObject({ kind: 'network', reason: 'timeout' });
  });

  it.each([
    ['a body that is not JSON', () => new Response('<html>ok</html>', { status: 200 }), 'not-json'],
    ['an empty body', () => new Response(null, { status: 200 }), 'not-json'],
    ['JSON without ErrorCode', () => json({ ActionStatus: 'OK' }), 'not-envelope'],
  ])('turns a 200 with %s into a non-retryable UnexpectedAnswerError', async (_case, answer, reason) => {
    const result = failed(await client(stubFetch(answer).fetch).delContactGroup(validBody));
    expect(result.error).toBeInstanceOf(UnexpectedAnswerError);
    expect(result.error).toMatchObject({ kind: 'unexpected-answer', reason, status: 200, retryable: false, strategy: 'none', code: undefined });
  });
});

describe('secrets', () => {
  it('redactUrl hides the usersig value and nothing else', () => {
    expect(redactUrl('https://h/p?sdkappid=1&usersig=eJw*abc-_&random=5')).toBe('https://h/p?sdkappid=1&usersig=REDACTED&random=5');
    expect(redactUrl('https://h/p?usersig=abc')).toBe('https://h/p?usersig=REDACTED');
  });

  it('keeps the UserSig and the secret key out of every failure, even when the network echoes the URL', async () => {
    const echoes: Answer[] = [
      (request) => failure(70001, `bad sig ${new URL(request.url).searchParams.get('usersig')}`, { ErrorDisplay: request.url }),
      (request) => new Response('', { status: 502, statusText: `Bad Gateway for ${request.url}` }),
      (request) => {
        throw new TypeError(`fetch to ${request.url} failed`, { cause: new Error(`socket closed: ${request.url}`) });
      },
      (request) => new Response(`not json ${request.url}`, { status: 200 }),
    ];
    const failures = [];
    const sigs: string[] = [];
    for (const echo of echoes) {
      const stub = stubFetch(echo);
      const result = await client(stub.fetch).delContactGroup(validBody);
      sigs.push(single(stub.sent[0], 'usersig'));
      failures.push(failed(result).error);
    }
    failures.push(failed(await client(stubFetch().fetch).delContactGroup({ From_Account: '', GroupName: [] } as never)).error);
    expect(failures.map((error) => error.kind)).toEqual(['api', 'network', 'network', 'unexpected-answer', 'validation']);
    for (const error of failures) {
      const renderings = [
        String(error),
        error.stack ?? '',
        JSON.stringify(error),
        inspect(error, { depth: 10, showHidden: true }),
        String(error.cause),
        (error.cause as Error | undefined)?.stack ?? '',
      ];
      for (const text of renderings) {
        expect(text).not.toContain(secretKey);
        for (const sig of sigs) expect(text).not.toContain(sig);
      }
    }
  });
});

describe('partial successes', () => {
  it('reports a batch answer with ErrorCode 0 and a failed item as partial, naming the item', async () => {
    const partialBody = spec.components.examples['CreateContactGroupPartialSuccess']?.value as Record<string, unknown>;
    const { fetch } = stubFetch(() => json(partialBody));
    const result = await client(fetch).createContactGroup({
      From_Account: 'alice',
      GroupContactItem: [{ GroupName: 'work', ContactItem: [{ Type: 1, To_Account: 'bob' }, { Type: 2, ToGroupId: '@TGS#2ABC' }] }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.partial).toBe(true);
    expect(result.itemFailures.length).toBeGreaterThan(0);
    for (const failure of result.itemFailures) expect(failure.code).not.toBe(0);
  });

  it('does not call a plain success partial', async () => {
    const { fetch } = stubFetch();
    const result = await client(fetch).delContactGroup(validBody);
    expect(result.ok && result.partial).toBe(false);
    expect(result.ok && result.itemFailures).toEqual([]);
  });
});
