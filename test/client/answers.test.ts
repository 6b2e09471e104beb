/**
 * Every answer, however odd, resolves the call with a typed result: redirects are never followed (real local HTTP
 * servers), oversized answers are cut off while streaming (a real server counting what it could write), and bodies
 * that are not the envelope (too deep, the wrong shape, hostile keys, a huge number of items) are classified.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_RESPONSE_BYTES,
  MAX_ANSWER_DEPTH,
  NetworkError,
  UnexpectedAnswerError,
  createChatGroupsClient,
  itemResults,
  type CallResult,
  type ChatGroupsClientOptions,
} from '../../src/index.js';
import { operations } from '../../generated/operations.js';
import { scrubJson } from '../../src/errors.js';
import { Capture } from '../support/client-capture.js';

// The placeholder pair every official UserSig library test uses; not a real app.
const secretKey = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const sdkAppId = 1400000000;
const identifier = 'administrator';
const validBody = { From_Account: 'user_0001', GroupName: ['group_0001'] as [string] };
const success = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', GroupItem: [{ GroupName: 'group_0001', GroupId: 1 }] };

const capture = new Capture();
afterAll(() => {
  expect(capture.leaks([secretKey, ...capture.userSigs])).toEqual([]);
});

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface LocalServer {
  readonly url: string;
  readonly host: string;
  /** Requests this server received. */
  readonly requests: string[];
  close(): Promise<void>;
}

const servers: LocalServer[] = [];

async function serve(handler: Handler): Promise<LocalServer> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    request.resume();
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const local: LocalServer = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

function client(overrides: Partial<Record<keyof ChatGroupsClientOptions, unknown>>) {
  return createChatGroupsClient({
    sdkAppId,
    identifier,
    secretKey,
    fetch: capture.fetch(),
    onAttempt: capture.event,
    ...overrides,
  } as ChatGroupsClientOptions);
}

function failure<Op extends 'delContactGroup' | 'createContactGroup'>(result: CallResult<Op>) {
  capture.result(result);
  if (result.ok) throw new Error('expected a failure');
  return result;
}

function unexpected<Op extends 'delContactGroup' | 'createContactGroup'>(result: CallResult<Op>): UnexpectedAnswerError {
  const { error } = failure(result);
  expect(error).toBeInstanceOf(UnexpectedAnswerError);
  return error as UnexpectedAnswerError;
}

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'never follows an HTTP %i to another host: a non-retryable failure naming the status and the target host only',
    async (status) => {
      const elsewhere = await serve((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(success));
      });
      // The Location echoes the query, UserSig included, as a careless proxy would.
      const primary = await serve((request, response) => {
        const query = (request.url ?? '').split('?')[1] ?? '';
        response.writeHead(status, { location: `${elsewhere.url}/v4/moved?${query}` }).end('moved');
      });
      const result = await client({ baseUrl: primary.url, fetch: undefined }).delContactGroup(validBody);
      const error = unexpected(result);
      expect(error).toMatchObject({ kind: 'unexpected-answer', reason: 'redirect', status, location: elsewhere.host, retryable: false, code: undefined });
      expect(error.message).toContain(`HTTP ${status}`);
      expect(error.message).toContain(elsewhere.host);
      expect(error.message).not.toContain('/v4/moved');
      expect(error.message).not.toContain('usersig');
      expect(error.hint).toMatch(/baseUrl/);
      expect(primary.requests).toHaveLength(1);
      expect(elsewhere.requests).toEqual([]);
      expect(result.host).toBe(primary.host);
      expect(result.attempts.map((attempt) => attempt.outcome)).toEqual([{ kind: 'unexpected-answer', code: undefined, reason: 'redirect', status }]);
      // The UserSig that was sent (and echoed in the Location) appears nowhere in the failure.
      const sentSig = new URL(`http://x${primary.requests[0] ?? ''}`).searchParams.get('usersig') ?? '';
      expect(sentSig.length).toBeGreaterThan(16);
      expect(inspect(error, { depth: 8, showHidden: true })).not.toContain(sentSig);
      expect(JSON.stringify(error)).not.toContain(sentSig);
    },
  );

  it('returns a 3xx to client.raw as it is, without following it', async () => {
    const elsewhere = await serve((_request, response) => response.writeHead(200).end(JSON.stringify(success)));
    const primary = await serve((_request, response) => response.writeHead(307, { location: `${elsewhere.url}/` }).end());
    const { response } = await client({ baseUrl: primary.url, fetch: undefined }).raw.POST(operations.delContactGroup.path, { body: validBody });
    expect(response.status).toBe(307);
    expect(elsewhere.requests).toEqual([]);
  });

  it('refuses an answer that a custom fetch got by following a redirect anyway', async () => {
    const elsewhere = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(success));
    });
    const primary = await serve((_request, response) => response.writeHead(307, { location: `${elsewhere.url}/v4/moved` }).end());
    // A fetch that ignores the request's redirect mode.
    const following: typeof globalThis.fetch = async (input, init) => {
      const request = input as Request;
      return globalThis.fetch(request.url, { method: 'POST', body: await request.text(), redirect: 'follow', signal: init?.signal ?? null });
    };
    const result = await client({ baseUrl: primary.url, fetch: capture.fetch(following) }).delContactGroup(validBody);
    const error = unexpected(result);
    expect(error).toMatchObject({ reason: 'redirect', location: elsewhere.host });
    expect(error.status).toBeUndefined();
  });

  it('refuses a 3xx handed over by an injected fetch, whatever its body', async () => {
    const fetch = async () => new Response(JSON.stringify(success), { status: 302, headers: { location: 'https://other.test:8443/x?usersig=abc' } });
    const error = unexpected(await client({ baseUrl: 'https://chat.test', fetch: capture.fetch(fetch as typeof globalThis.fetch) }).delContactGroup(validBody));
    expect(error).toMatchObject({ reason: 'redirect', status: 302, location: 'other.test:8443' });
    expect(error.message).not.toContain('usersig=abc');
  });
});

describe('redirects a browser-like fetch hides', () => {
  it('refuses an opaque redirect (status 0, no headers) as a redirect', async () => {
    // What a browser's fetch returns for redirect: 'manual'; Node's returns the 3xx itself.
    const opaque = () =>
      Object.defineProperties(new Response(null), { type: { value: 'opaqueredirect' }, status: { value: 0 }, ok: { value: false } }) as Response;
    const fetch = (async () => opaque()) as unknown as typeof globalThis.fetch;
    const error = unexpected(await client({ baseUrl: 'https://chat.test', fetch: capture.fetch(fetch) }).delContactGroup(validBody));
    expect(error).toMatchObject({ reason: 'redirect', retryable: false });
    expect(error.status).toBeUndefined();
    expect(error.location).toBeUndefined();
  });
});

describe('answer size', () => {
  const limit = 1024 * 1024;
  const total = 50 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x20);

  /** Answers 200 with `total` bytes of JSON-ish padding, written with backpressure; resolves with how much it could write. */
  function hugeAnswer(withLength: boolean): { handler: Handler; written: Promise<{ bytes: number; finished: boolean }> } {
    let report: (value: { bytes: number; finished: boolean }) => void = () => undefined;
    const written = new Promise<{ bytes: number; finished: boolean }>((resolve) => {
      report = resolve;
    });
    const handler: Handler = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': String(total) } : {}) });
      let bytes = 0;
      let finished = false;
      response.on('close', () => report({ bytes, finished }));
      const pump = (): void => {
        while (bytes < total && !response.destroyed) {
          bytes += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        if (bytes >= total) {
          finished = true;
          response.end();
        }
      };
      pump();
    };
    return { handler, written };
  }

  it.each([
    ['with Content-Length', true],
    ['without Content-Length', false],
  ])('stops reading a 50 MB answer %s once it passes a 1 MB cap, without retrying', async (_case, withLength) => {
    const huge = hugeAnswer(withLength);
    const server = await serve(huge.handler);
    const before = process.memoryUsage().rss;
    const result = await client({ baseUrl: server.url, fetch: undefined, maxResponseBytes: limit }).delContactGroup(validBody);
    const error = unexpected(result);
    expect(error).toMatchObject({ reason: 'too-large', status: 200, limitBytes: limit, retryable: false, strategy: 'none' });
    expect(error.declaredBytes).toBe(withLength ? total : undefined);
    expect(error.message).toContain(`limit ${limit} bytes`);
    expect(error.hint).toMatch(/maxResponseBytes/);
    expect(result.attempts).toHaveLength(1);
    expect(server.requests).toHaveLength(1);
    const { bytes, finished } = await huge.written;
    // The client went away long before the end; what the server wrote beyond the cap sat in socket buffers.
    expect(finished).toBe(false);
    expect(bytes).toBeLessThan(total / 2);
    // Loose: the answer was not buffered whole (it would add at least 50 MB).
    expect(process.memoryUsage().rss - before).toBeLessThan(total * 0.6);
  });

  it('cancels an unbounded stream from an injected fetch right after the cap, reading no further', async () => {
    let pulled = 0;
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
      cancel() {
        cancelled = true;
      },
    });
    const fetch = async () => new Response(stream, { status: 200 });
    const error = unexpected(
      await client({ baseUrl: 'https://chat.test', fetch: capture.fetch(fetch as typeof globalThis.fetch), maxResponseBytes: limit }).delContactGroup(validBody),
    );
    expect(error).toMatchObject({ reason: 'too-large', limitBytes: limit });
    expect(cancelled).toBe(true);
    // Only what the limit needs, plus the few chunks the stream queues ahead.
    expect(pulled).toBeLessThanOrEqual(limit + 4 * chunk.length);
  });

  it('reads an answer of exactly the cap, and refuses one byte more', async () => {
    const padded = (size: number): string => {
      const head = JSON.stringify({ ...success, Padding: '' });
      return `${head.slice(0, -2)}${' '.repeat(size - head.length)}"}`;
    };
    const exact = padded(limit);
    expect(Buffer.byteLength(exact)).toBe(limit);
    const answer = (text: string) => (async () => new Response(text, { status: 200 })) as unknown as typeof globalThis.fetch;
    const fits = await client({ baseUrl: 'https://chat.test', fetch: answer(exact), maxResponseBytes: limit }).delContactGroup(validBody);
    expect(fits.ok).toBe(true);
    const over = await client({ baseUrl: 'https://chat.test', fetch: answer(padded(limit + 1)), maxResponseBytes: limit }).delContactGroup(validBody);
    expect(unexpected(over).reason).toBe('too-large');
  });

  it('cancels the body of an HTTP error answer instead of reading it', async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(chunk));
      },
      cancel() {
        cancelled = true;
      },
    });
    const fetch = async () => new Response(stream, { status: 502, statusText: 'Bad Gateway' });
    const result = failure(await client({ baseUrl: 'https://chat.test', fetch: capture.fetch(fetch as typeof globalThis.fetch), retry: false }).delContactGroup(validBody));
    expect(result.error).toBeInstanceOf(NetworkError);
    expect(result.error).toMatchObject({ reason: 'http-status', status: 502 });
    expect(cancelled).toBe(true);
  });

  it('documents a default cap of a few MB', () => {
    expect(DEFAULT_MAX_RESPONSE_BYTES).toBe(4 * 1024 * 1024);
  });
});

describe('answers that are not the envelope', () => {
  function answering(text: string) {
    const fetch = (async () => new Response(text, { status: 200, headers: { 'content-type': 'application/json' } })) as unknown as typeof globalThis.fetch;
    return client({ baseUrl: 'https://chat.test', fetch: capture.fetch(fetch) });
  }

  function nested(depth: number, errorCode = 0): string {
    return `{"ActionStatus":"OK","ErrorCode":${errorCode},"ErrorInfo":"","Extra":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`;
  }

  it.each([
    ['a success', 0],
    ['a failure', 51009],
  ])('classifies %s nested 100,000 levels deep as too deep instead of overflowing the stack', async (_case, code) => {
    const error = unexpected(await answering(nested(100_000, code)).delContactGroup(validBody));
    expect(error).toMatchObject({ reason: 'too-deep', status: 200, retryable: false });
  });

  it(`accepts an answer nested ${MAX_ANSWER_DEPTH} levels deep and refuses one level more`, async () => {
    expect((await answering(nested(MAX_ANSWER_DEPTH)).delContactGroup(validBody)).ok).toBe(true);
    expect(unexpected(await answering(nested(MAX_ANSWER_DEPTH + 1)).delContactGroup(validBody)).reason).toBe('too-deep');
  });

  it('does not count brackets inside strings as nesting', async () => {
    const text = JSON.stringify({ ...success, ErrorInfo: `${'['.repeat(1000)}\\"{{{` });
    expect((await answering(text).delContactGroup(validBody)).ok).toBe(true);
  });

  it.each([
    ['JSON null', 'null'],
    ['an array', JSON.stringify([success])],
    ['a string', JSON.stringify('OK')],
    ['a number', '0'],
    ['ErrorCode as a string', JSON.stringify({ ...success, ErrorCode: '0' })],
    ['a fractional ErrorCode', JSON.stringify({ ...success, ErrorCode: 0.5 })],
    ['ErrorCode null', JSON.stringify({ ...success, ErrorCode: null })],
    ['ErrorInfo as a number', JSON.stringify({ ...success, ErrorCode: 51009, ErrorInfo: 7 })],
    ['ActionStatus as an object', JSON.stringify({ ...success, ActionStatus: { ok: true } })],
    ['ErrorDisplay as an array', JSON.stringify({ ...success, ErrorCode: 51009, ErrorDisplay: ['x'] })],
  ])('classifies %s as not the envelope', async (_case, text) => {
    const error = unexpected(await answering(text).delContactGroup(validBody));
    expect(error).toMatchObject({ kind: 'unexpected-answer', reason: 'not-envelope', status: 200, retryable: false });
    expect(error.message).toContain('not the result envelope');
  });

  it('keeps __proto__ keys of an answer as plain data, polluting nothing', async () => {
    const text = `{"ActionStatus":"FAIL","ErrorCode":51009,"ErrorInfo":"x","__proto__":{"polluted":true},"GroupItem":[{"__proto__":{"ResultCode":1}}]}`;
    const result = failure(await answering(text).delContactGroup(validBody));
    const body = (result.error as { body?: Record<string, unknown> }).body ?? {};
    expect(Object.hasOwn(body, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect((body as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();

    const ok = await answering(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","__proto__":{"ResultCode":5},"GroupItem":[]}`).delContactGroup(validBody);
    expect(ok.ok).toBe(true);
    if (!ok.ok) return;
    expect(Object.getPrototypeOf(ok.data)).toBe(Object.prototype);
    expect(ok.itemFailures.map((item) => [item.path, item.code])).toEqual([['__proto__', 5]]);
  });

  it('reads a batch answer with 50,000 failed items into a partial success naming each of them', async () => {
    const count = 50_000;
    const items = Array.from({ length: count }, () => '{"ResultCode":51008}').join(',');
    const text = `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","GroupResultItem":[{"GroupItem":{"GroupName":"g","GroupId":1},"ResultItem":[${items}]}]}`;
    expect(Buffer.byteLength(text)).toBeLessThan(DEFAULT_MAX_RESPONSE_BYTES);
    const fetch = (async () => new Response(text, { status: 200 })) as unknown as typeof globalThis.fetch;
    const result = await client({ baseUrl: 'https://chat.test', fetch }).createContactGroup({
      From_Account: 'alice',
      GroupContactItem: [{ GroupName: 'g', ContactItem: [{ Type: 1, To_Account: 'bob' }] }],
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.partial).toBe(true);
    expect(result.itemFailures).toHaveLength(count);
    expect(result.itemFailures[count - 1]?.path).toBe(`GroupResultItem[0].ResultItem[${count - 1}]`);
  });

  it('itemResults walks a value of any depth without overflowing the stack', () => {
    let deep: unknown = { ResultCode: 7 };
    for (let level = 0; level < 100_000; level += 1) deep = { Next: [deep] };
    const found = itemResults(deep);
    expect(found).toHaveLength(1);
    expect(found[0]?.code).toBe(7);
  });

  it('scrubJson copies a value of any depth without overflowing the stack, keeping __proto__ keys as data', () => {
    let deep: unknown = JSON.parse(`{"__proto__":{"x":1},"Inner":${JSON.stringify({ ErrorInfo: 'echo secret-sig-value' })}}`);
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    let copy = scrubJson(deep, ['secret-sig-value']);
    for (let level = 0; level < 100_000; level += 1) copy = (copy as unknown[])[0];
    expect(Object.hasOwn(copy as object, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(copy).toMatchObject({ Inner: { ErrorInfo: 'echo REDACTED' } });
  });
});
