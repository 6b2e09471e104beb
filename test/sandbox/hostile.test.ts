/**
 * The sandbox against hostile bodies and clients, over HTTP: deep nesting, undeclared fields, bytes that are not
 * UTF-8, a full state, a handler failing half-way, stalled and trickling clients. Every request is answered or its
 * connection closed, the server stays up, and no retryable code follows a change of state.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { errorCodes } from '../../generated/error-codes.js';
import { operations, requestLimits, type OperationId } from '../../generated/operations.js';
import { CONTROL_PREFIX, DEVELOPMENT_SECRET_KEY, defaultFixture, startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';
import { generateUserSig } from '../../src/usersig/usersig.js';

const running: RunningSandbox[] = [];

async function sandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const started = await startSandbox({ rateLimit: 'off', onError: () => {}, ...options });
  running.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((started) => started.close()));
});

const query = new URLSearchParams({
  sdkappid: String(defaultFixture.sdkAppId),
  identifier: defaultFixture.admins[0] ?? 'administrator',
  usersig: generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: defaultFixture.sdkAppId, identifier: defaultFixture.admins[0] ?? 'administrator', expireSeconds: 86_400 }),
  random: '1',
  contenttype: 'json',
}).toString();

interface Envelope {
  ActionStatus: string;
  ErrorCode: number;
  ErrorInfo: string;
  [field: string]: unknown;
}

async function call(target: RunningSandbox, operationId: OperationId, body: string | Uint8Array): Promise<Envelope> {
  const response = await fetch(`${target.url}${operations[operationId].path}?${query}`, { method: 'POST', body });
  expect(response.status).toBe(200);
  return (await response.json()) as Envelope;
}

async function state(target: RunningSandbox): Promise<{ users: Record<string, { groups: Record<string, { contacts: unknown[] }>; conversations: { contact: unknown; customMark: string }[] }> }> {
  const response = await fetch(`${target.url}${CONTROL_PREFIX}state`);
  expect(response.status).toBe(200);
  return (await response.json()) as never;
}

/** An unknown field whose value nests `levels` arrays deep. */
function nested(levels: number): string {
  return `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

const limit = requestLimits.maxNestingDepth;

describe('deeply nested bodies', () => {
  it('refuses a create whose ContactItem carries a field nested 5000 deep with 50002 naming the limit, stores nothing and keeps serving', async () => {
    const target = await sandbox();
    const before = target.state.revision;
    const body = `{"From_Account":"alice","GroupContactItem":[{"GroupName":"deep","ContactItem":[{"Type":1,"To_Account":"bob","x":${nested(5000)}}]}]}`;
    const answer = await call(target, 'createContactGroup', body);
    expect(answer.ErrorCode).toBe(50002);
    expect(answer.ErrorInfo).toContain(`more than ${limit} levels`);
    expect(target.state.revision).toBe(before);
    expect((await state(target)).users['alice']?.groups['deep']).toBeUndefined();
  });

  it('answers every operation with its own bad-request code for a body one level deeper than the limit, and accepts the limit itself', async () => {
    const target = await sandbox();
    for (const [operationId, operation] of Object.entries(operations) as [OperationId, (typeof operations)[OperationId]][]) {
      // The body object is level 1, so a field value nesting limit-1 arrays reaches exactly the limit.
      const atLimit = await call(target, operationId, `{"From_Account":"nobody","x":${nested(limit - 1)}}`);
      expect(atLimit.ErrorInfo, operationId).not.toContain('levels');
      const tooDeep = await call(target, operationId, `{"From_Account":"nobody","x":${nested(limit)}}`);
      expect(tooDeep.ErrorCode, operationId).toBe(operation.badRequestErrorCode);
      expect(tooDeep.ErrorInfo, operationId).toContain(`maxNestingDepth is ${limit}`);
    }
  });

  it('does not count brackets inside strings as nesting', async () => {
    const target = await sandbox();
    // A custom mark may hold 256 bytes, so 100 brackets in it are well within the field's own limit.
    const answer = await call(target, 'markContact', JSON.stringify({ From_Account: 'alice', MarkItem: [{ OptType: 2, CustomMark: '['.repeat(100), ContactItem: { Type: 1, To_Account: 'bob' } }] }));
    expect(answer.ErrorCode).toBe(0);
  });

  it('answers a deep value in a declared field with a short message, not the value', async () => {
    const target = await sandbox();
    const answer = await call(target, 'markContact', `{"From_Account":"alice","MarkItem":[{"OptType":${nested(20)},"ContactItem":{"Type":1,"To_Account":"bob"}}]}`);
    expect(answer.ErrorCode).toBe(50002);
    expect(answer.ErrorInfo.length).toBeLessThan(300);
  });
});

describe('undeclared fields', () => {
  const extra = { note: 'x'.repeat(100_000), __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
  /** JSON.stringify skips a `__proto__` set by a literal, so the key is written into the text. */
  const withExtra = (value: Record<string, unknown>): string =>
    JSON.stringify({ ...value, note: extra.note, constructor: extra.constructor }).replace(/^\{/, '{"__proto__":{"polluted":true},');

  it('are dropped at every level of create, update and mark: neither stored, echoed, nor reaching Object.prototype', async () => {
    const target = await sandbox();
    const contact = withExtra({ Type: 1, To_Account: 'dave' });
    const create = await call(
      target,
      'createContactGroup',
      withExtra({ From_Account: 'alice', GroupContactItem: [JSON.parse(withExtra({ GroupName: 'extra', ContactItem: [JSON.parse(contact)] }))] }),
    );
    expect(create.ErrorCode).toBe(0);
    const update = await call(
      target,
      'updateContactGroup',
      withExtra({ From_Account: 'alice', UpdateType: 1, UpdateGroup: { UpdateGroupType: 2, OldGroupName: 'extra', ContactUpdateItem: [{ ContactOptType: 1, ContactItem: JSON.parse(withExtra({ Type: 2, ToGroupId: '@TGS#1' })) }] } }),
    );
    expect(update.ErrorCode).toBe(0);
    const mark = await call(target, 'markContact', withExtra({ From_Account: 'alice', MarkItem: [JSON.parse(withExtra({ OptType: 2, CustomMark: 'c', ContactItem: JSON.parse(contact) }))] }));
    expect(mark.ErrorCode).toBe(0);

    for (const answer of [create, update, mark]) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain('xxxxxxxx');
      expect(text).not.toContain('polluted');
    }
    const snapshot = JSON.stringify(await state(target));
    expect(snapshot).not.toContain('xxxxxxxx');
    expect(snapshot).not.toContain('polluted');
    expect((await state(target)).users['alice']?.groups['extra']?.contacts).toEqual([{ Type: 1, To_Account: 'dave' }, { Type: 2, ToGroupId: '@TGS#1' }]);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('do not grow the state: twenty creates with a 500 KB extra field each add no more than the same creates without it', async () => {
    const plain = await sandbox();
    const padded = await sandbox();
    for (let index = 0; index < 20; index++) {
      const body = { From_Account: 'carol', GroupContactItem: [{ GroupName: `g${index % 10}-${index}`.slice(0, 8), ContactItem: [{ Type: 1, To_Account: `peer${index}` }] }] };
      await call(plain, 'createContactGroup', JSON.stringify(body));
      await call(padded, 'createContactGroup', JSON.stringify({ ...body, extra: 'y'.repeat(500_000) }));
      await call(plain, 'delContactGroup', JSON.stringify({ From_Account: 'carol', GroupName: [body.GroupContactItem[0]?.GroupName] }));
      await call(padded, 'delContactGroup', JSON.stringify({ From_Account: 'carol', GroupName: [body.GroupContactItem[0]?.GroupName] }));
    }
    expect(padded.state.storedBytes).toBe(plain.state.storedBytes);
    expect(JSON.stringify(await state(padded)).length).toBe(JSON.stringify(await state(plain)).length);
  });
});

describe('bodies that are not UTF-8', () => {
  it('are refused with 60003 instead of being read with U+FFFD, and nothing is created', async () => {
    const target = await sandbox();
    const before = target.state.revision;
    const text = '{"From_Account":"alice","GroupContactItem":[{"GroupName":"bad@","ContactItem":[{"Type":1,"To_Account":"bob"}]}]}';
    const bytes = Buffer.from(text, 'latin1');
    bytes[bytes.indexOf('@')] = 0xc3; // a lead byte with no continuation
    const answer = await call(target, 'createContactGroup', bytes);
    expect(answer.ErrorCode).toBe(60003);
    expect(answer.ErrorInfo).toContain('UTF-8');
    expect(errorCodes[60003].retryable).toBe(false);
    expect(target.state.revision).toBe(before);
  });

  it('are refused by the control API with 400 and a sentence, like deep and non-JSON fault requests', async () => {
    const target = await sandbox({ allowFaults: true });
    const post = (body: string | Uint8Array) => fetch(`${target.url}${CONTROL_PREFIX}faults`, { method: 'POST', body });
    for (const [body, words] of [
      [Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x7d]), 'UTF-8'],
      [`{"count":1,"x":${nested(10_000)}}`, 'levels'],
      ['{"count":', 'not valid JSON'],
    ] as const) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(words);
    }
    expect((await fetch(`${target.url}${CONTROL_PREFIX}faults`)).status).toBe(200);
  });
});

describe('the bound on stored data', () => {
  it('refuses a change that could exceed maxStateBytes with the non-retryable 51008 before changing anything, and keeps answering', async () => {
    const target = await sandbox({ maxStateBytes: 40_000 });
    expect(errorCodes[51008].retryable).toBe(false);
    const results: number[] = [];
    let refusedWhole: Envelope | undefined;
    for (let index = 0; index < 19 && refusedWhole === undefined; index++) {
      const answer = await call(
        target,
        'createContactGroup',
        // UserIDs are at most 32 bytes, so the data grows by many conversations per create rather than by long IDs.
        JSON.stringify({
          From_Account: 'carol',
          GroupContactItem: [{ GroupName: `g${index}`, ContactItem: Array.from({ length: 100 }, (_, item) => ({ Type: 1, To_Account: `${index}.${item}.`.padEnd(32, 'p') })) }],
        }),
      );
      if (answer.ErrorCode !== 0) refusedWhole = answer;
      else results.push(...(answer['GroupResultItem'] as { ResultItem: { ResultCode: number }[] }[])[0]!.ResultItem.map((item) => item.ResultCode));
    }
    expect(results).toContain(51008);
    expect(refusedWhole?.ErrorCode).toBe(51008);
    expect(refusedWhole?.ErrorInfo).toContain('maxStateBytes');
    expect(target.state.storedBytes).toBeLessThanOrEqual(40_000);
    const revision = target.state.revision;
    const mark = await call(target, 'markContact', JSON.stringify({ From_Account: 'carol', MarkItem: [{ OptType: 2, CustomMark: 'm'.repeat(256), ContactItem: { Type: 1, To_Account: 'q'.repeat(32) } }] }));
    expect((mark['ResultItem'] as { ResultCode: number }[])[0]?.ResultCode).toBe(51008);
    expect(target.state.revision).toBe(revision);
    // Deleting frees room again.
    const deleted = await call(target, 'delContactGroup', JSON.stringify({ From_Account: 'carol', GroupName: ['g0'] }));
    expect(deleted.ErrorCode).toBe(0);
    expect((await fetch(`${target.url}${CONTROL_PREFIX}state`)).status).toBe(200);
  });
});

describe('a failure inside a handler', () => {
  it('answers 50004 when nothing had changed, and closes the connection instead when the state had already changed', async () => {
    const target = await sandbox();
    const errors: unknown[] = [];
    const failing = await sandbox({ onError: (error) => errors.push(error) });
    const boom = (): never => {
      throw new Error('injected failure');
    };
    const create = JSON.stringify({ From_Account: 'alice', GroupContactItem: [{ GroupName: 'half', ContactItem: [{ Type: 1, To_Account: 'bob' }] }] });

    // Before any change: the group cannot even be created.
    Object.assign(target.state, { createGroup: boom });
    expect((await call(target, 'createContactGroup', create)).ErrorCode).toBe(50004);

    // After a change: the group was created, then adding its conversation failed.
    Object.assign(failing.state, { addToGroup: boom });
    await expect(fetch(`${failing.url}${operations.createContactGroup.path}?${query}`, { method: 'POST', body: create })).rejects.toThrow();
    expect(errors).toHaveLength(1);
    expect(failing.state.group('alice', 'half')).toBeDefined();
    // The server is still up.
    expect((await fetch(`${failing.url}${CONTROL_PREFIX}deletions`)).status).toBe(200);
  });
});

/** A raw connection that records when the server closed it and everything it answered. */
function rawConnection(target: RunningSandbox): { socket: Socket; closed: () => boolean; received: () => string } {
  const socket = connect(target.port, target.host);
  let closed = false;
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('close', () => (closed = true));
  socket.on('error', () => {});
  return { socket, closed: () => closed, received: () => received };
}

describe('slow and stalled clients', () => {
  const timeouts = { headersMs: 300, bodyMs: 300, requestMs: 600, keepAliveMs: 300 };

  /** Writes one byte every 50 ms for as long as the connection is open. */
  function trickle(socket: Socket, text: string): () => void {
    let index = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || index >= text.length) return;
      socket.write(text[index++] as string);
    }, 50);
    return () => clearInterval(timer);
  }

  it('closes a connection whose headers trickle in slower than the header deadline', async () => {
    const target = await sandbox({ timeouts });
    const connection = rawConnection(target);
    const stop = trickle(connection.socket, `POST ${operations.delContactGroup.path}?${query} HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(10_000)}\r\n\r\n`);
    try {
      await vi.waitFor(() => expect(connection.closed()).toBe(true), { timeout: 10_000, interval: 50 });
    } finally {
      stop();
    }
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408|^$/);
  });

  it('answers 408 and closes a connection whose body trickles in slower than the body deadline', async () => {
    const target = await sandbox({ timeouts });
    const connection = rawConnection(target);
    const body = JSON.stringify({ From_Account: 'alice', GroupName: ['work'] }).padEnd(5000, ' ');
    connection.socket.write(`POST ${operations.delContactGroup.path}?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`);
    const stop = trickle(connection.socket, body);
    try {
      await vi.waitFor(() => expect(connection.closed()).toBe(true), { timeout: 10_000, interval: 50 });
    } finally {
      stop();
    }
    expect(connection.received()).toMatch(/^HTTP\/1\.1 408/);
    expect(target.state.group('alice', 'work')).toBeDefined();
  });

  it('closes an idle keep-alive connection after the keep-alive deadline', async () => {
    const target = await sandbox({ timeouts });
    const connection = rawConnection(target);
    const body = JSON.stringify({ From_Account: 'nobody', GroupName: ['work'] });
    connection.socket.write(`POST ${operations.delContactGroup.path}?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    await vi.waitFor(() => expect(connection.closed()).toBe(true), { timeout: 10_000, interval: 50 });
    expect(connection.received()).toContain('"ErrorCode":50001');
  });

  it('answers a declared Content-Length beyond the body limit at once with 60002 and closes, without reading the body', async () => {
    const target = await sandbox({ timeouts: { ...timeouts, bodyMs: 60_000, requestMs: 60_000 } });
    const connection = rawConnection(target);
    connection.socket.write(`POST ${operations.delContactGroup.path}?${query} HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999999\r\n\r\n{`);
    await vi.waitFor(() => expect(connection.closed()).toBe(true), { timeout: 10_000, interval: 50 });
    expect(connection.received()).toContain('"ErrorCode":60002');
  });

  it('refuses timeouts that break their rule, naming the setting', async () => {
    await expect(startSandbox({ timeouts: { headersMs: 0 } })).rejects.toThrow('timeouts.headersMs');
    await expect(startSandbox({ timeouts: { headersMs: 5000, requestMs: 1000 } })).rejects.toThrow('must not exceed timeouts.requestMs');
    await expect(startSandbox({ maxStateBytes: -1 })).rejects.toThrow('maxStateBytes');
  });
});
