/**
 * Schema-driven fuzzing of the sandbox over HTTP: valid bodies generated from each operation's request schema in
 * generated/operations.ts, invalid ones (one constraint broken each), and hostile ones (deep nesting, huge strings,
 * bytes that are not UTF-8, wrong types, duplicate and prototype keys, NaN-like numbers, truncated JSON, a wrong
 * content type, a huge Content-Length, slow bodies, unsigned and badly signed calls, control-API abuse).
 *
 * It asserts that no answer is a 5xx, that the server never fails, that every request is answered or its connection
 * closed, and reports memory (RSS and heap after a GC) after warm-up and at the end. Deterministic for a seed.
 *
 *   npm run fuzz:sandbox -- [--requests 2000] [--seed 1]
 *
 * The test suite runs the same code with fewer requests (test/sandbox/fuzz.test.ts).
 */
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { operations, requestLimits, type OperationId } from '../../generated/operations.js';
import { CONTROL_PREFIX, DEVELOPMENT_SECRET_KEY, defaultFixture, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { seededRandom } from '../seeded-random.js';

export interface FuzzOptions {
  readonly seed: number;
  readonly requests: number;
  /** Requests in flight at once. Default 8. */
  readonly concurrency?: number;
}

export interface MemoryFigures {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
}

export interface FuzzReport {
  readonly requests: number;
  /** Answers by kind: `200 ErrorCode 0`, `200 ErrorCode 50002`, `400`, `closed`, … */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Requests by the generator that made them: valid, invalid, hostile kinds. */
  readonly kinds: Readonly<Record<string, number>>;
  /** Every broken promise: a 5xx, an error the sandbox reported, a request neither answered nor closed in time. */
  readonly failures: readonly string[];
  readonly afterWarmUp: MemoryFigures;
  readonly atEnd: MemoryFigures;
  readonly storedBytes: number;
}


type Schema = { readonly [keyword: string]: unknown };
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

class Generator {
  constructor(readonly random: () => number) {}

  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  /** A value that meets the schema; names and peers come from the fixture's data most of the time, so calls reach the state. */
  valid(schema: Schema, field = ''): Json {
    if ('const' in schema) return schema['const'] as Json;
    if (Array.isArray(schema['enum'])) return this.pick(schema['enum'] as Json[]);
    if (Array.isArray(schema['oneOf'])) return this.valid(this.pick(schema['oneOf'] as Schema[]), field);
    if (Array.isArray(schema['allOf'])) {
      return Object.assign({}, ...(schema['allOf'] as Schema[]).map((part) => this.valid(part, field)), this.validObject(schema)) as Json;
    }
    switch (schema['type']) {
      case 'object':
        return this.validObject(schema);
      case 'array': {
        const min = (schema['minItems'] as number | undefined) ?? 0;
        const max = Math.min((schema['maxItems'] as number | undefined) ?? min + 3, min + 3);
        return Array.from({ length: this.int(min, max) }, () => this.valid(schema['items'] as Schema, field));
      }
      case 'integer': {
        const min = (schema['minimum'] as number | undefined) ?? 0;
        const max = (schema['maximum'] as number | undefined) ?? min + 100;
        return this.int(min, Math.min(max, min + 1000));
      }
      case 'boolean':
        return this.chance(0.5);
      case 'string':
        return this.validString(schema, field);
      default:
        return null;
    }
  }

  validObject(schema: Schema): { [key: string]: Json } {
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    const required = new Set((schema['required'] ?? []) as string[]);
    const value: { [key: string]: Json } = {};
    for (const [name, property] of Object.entries(properties)) {
      if (required.has(name) || this.chance(0.5)) value[name] = this.valid(property, name);
    }
    return value;
  }

  validString(schema: Schema, field: string): string {
    const maxBytes = Math.min((schema['x-max-bytes'] as number | undefined) ?? 32, (schema['maxLength'] as number | undefined) ?? 32);
    const minBytes = Math.max((schema['x-min-bytes'] as number | undefined) ?? 0, (schema['minLength'] as number | undefined) ?? 0);
    if (field === 'From_Account') return this.pick(['alice', 'bob', 'carol', 'carol', 'nobody']);
    if (field === 'To_Account') return this.pick(['alice', 'bob', 'carol', 'dave', `peer${this.int(0, 50)}`]);
    if (/GroupName/.test(field)) return this.pick(['work', 'family', 'hobbies', '项目', `g${this.int(0, 40)}`]).slice(0, Math.max(1, maxBytes));
    const length = this.int(Math.max(minBytes, 1), Math.max(minBytes, Math.min(maxBytes, 12)));
    return Array.from({ length }, () => this.pick([...'abcxyz019_-@#'])).join('');
  }

  /** A valid body with exactly one constraint broken somewhere in it. */
  invalid(schema: Schema): Json {
    const body = this.valid(schema) as { [key: string]: Json };
    const spots: { holder: { [key: string]: Json } | Json[]; key: string | number; schema: Schema }[] = [];
    const collect = (value: Json, at: Schema): void => {
      if (Array.isArray(value)) {
        value.forEach((item, index) => {
          spots.push({ holder: value, key: index, schema: (at['items'] ?? {}) as Schema });
          collect(item, (at['items'] ?? {}) as Schema);
        });
      } else if (value !== null && typeof value === 'object') {
        const properties = declared(at, value);
        for (const [name, item] of Object.entries(value)) {
          const property = properties[name] ?? {};
          spots.push({ holder: value, key: name, schema: property });
          collect(item, property);
        }
      }
    };
    collect(body, schema);
    const spot = spots.length === 0 ? undefined : this.pick(spots);
    if (spot === undefined) return [];
    const holder = spot.holder as Record<string | number, Json>;
    const broken = this.broken(spot.schema);
    if (broken === undefined) delete holder[spot.key];
    else holder[spot.key] = broken;
    return body;
  }

  /** A value that breaks the schema (undefined: leave the field out, which breaks `required` where it is required). */
  broken(schema: Schema): Json | undefined {
    const options: (() => Json | undefined)[] = [() => undefined, () => (schema['type'] === 'string' ? 12 : 'text'), () => null, () => ({})];
    if (typeof schema['x-max-bytes'] === 'number' || typeof schema['maxLength'] === 'number') options.push(() => '字'.repeat(100));
    if (schema['minLength'] === 1) options.push(() => '');
    if (typeof schema['maximum'] === 'number') options.push(() => (schema['maximum'] as number) + 1);
    if (typeof schema['minimum'] === 'number') options.push(() => (schema['minimum'] as number) - 1);
    if ('const' in schema || Array.isArray(schema['enum'])) options.push(() => 987_654);
    if (typeof schema['maxItems'] === 'number') options.push(() => Array.from({ length: (schema['maxItems'] as number) + 1 }, () => this.valid((schema['items'] ?? {}) as Schema)));
    if (typeof schema['minItems'] === 'number' && (schema['minItems'] as number) > 0) options.push(() => []);
    if (schema['type'] === 'integer') options.push(() => 1.5);
    return this.pick(options)();
  }
}

/** The properties a schema declares for a value, through allOf and the oneOf branch whose const tag matches. */
function declared(schema: Schema, value: { [key: string]: Json }): Record<string, Schema> {
  const own = (schema['properties'] ?? {}) as Record<string, Schema>;
  const parts = ((schema['allOf'] ?? []) as Schema[]).map((part) => declared(part, value));
  const branch = ((schema['oneOf'] ?? []) as Schema[]).find((candidate) =>
    Object.entries(declared(candidate, {})).every(([name, property]) => !('const' in property) || property['const'] === value[name]),
  );
  return Object.assign({}, ...parts, branch === undefined ? {} : declared(branch, value), own) as Record<string, Schema>;
}

interface FuzzRequest {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | Uint8Array;
  /** Sent by hand over a socket: a body slower than the body deadline, or a Content-Length far beyond the body. */
  readonly raw?: 'slow-body' | 'huge-length';
}

const ADMIN = defaultFixture.admins[0] ?? 'administrator';

function signedQuery(userSig: string, random: number): string {
  return new URLSearchParams({ sdkappid: String(defaultFixture.sdkAppId), identifier: ADMIN, usersig: userSig, random: String(random), contenttype: 'json' }).toString();
}

function nestedText(levels: number, open = '[', close = ']'): string {
  return `${open.repeat(levels)}${close.repeat(levels)}`.replaceAll('{}', '{"a":1}');
}

/** One request of the run, chosen by the generator. */
function nextRequest(generator: Generator, userSig: string): FuzzRequest {
  const operationId = generator.pick(Object.keys(operations) as OperationId[]);
  const operation = operations[operationId];
  const schema = operation.requestSchema as Schema;
  const path = `${operation.path}?${signedQuery(userSig, generator.int(0, 4_294_967_295))}`;
  const json = (kind: string, body: string | Uint8Array, headers: Record<string, string> = {}): FuzzRequest => ({
    kind,
    method: 'POST',
    path,
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const valid = (): string => JSON.stringify(generator.valid(schema));
  const roll = generator.random();
  if (roll < 0.4) return json('valid', valid());
  if (roll < 0.65) return json('invalid', JSON.stringify(generator.invalid(schema)));

  const hostile: (() => FuzzRequest)[] = [
    () => json('deep-nesting', `{"From_Account":"alice","x":${nestedText(generator.int(requestLimits.maxNestingDepth, 20_000))}}`),
    () => json('deep-objects', `{"From_Account":"alice","x":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`),
    () => json('huge-string', JSON.stringify({ From_Account: 'alice', GroupName: ['x'.repeat(generator.int(100_000, 900_000))] })),
    () => json('huge-undeclared-field', valid().replace(/^\{/, `{"pad":"${'p'.repeat(generator.int(10_000, 500_000))}",`)),
    () => json('over-body-limit', `{"x":"${'z'.repeat(1024 * 1024 + 10)}"}`),
    () => {
      const bytes = Buffer.from(valid(), 'utf8');
      const at = bytes.indexOf(0x22, 2);
      bytes[at === -1 ? 1 : at + 1] = generator.pick([0xc3, 0xff, 0xed, 0x80]);
      return json('invalid-utf8', bytes);
    },
    () => json('wrong-type', generator.pick(['[]', '1', '"text"', 'null', 'true', '[{"From_Account":"alice"}]'])),
    () => json('duplicate-keys', valid().replace(/^\{/, '{"From_Account":"nobody","From_Account":123,')),
    () => json('prototype-keys', valid().replace(/^\{/, '{"__proto__":{"From_Account":"alice","polluted":1},"constructor":{"prototype":{"x":1}},"toString":1,')),
    () => json('nan-like-number', valid().replace(/^\{/, `{"n":${generator.pick(['NaN', 'Infinity', '-Infinity', '1e999', '-0', '0x10', '01'])},`)),
    () => {
      const text = valid();
      return json('truncated-json', text.slice(0, generator.int(0, Math.max(0, text.length - 1))));
    },
    () => json('wrong-content-type', valid(), { 'content-type': generator.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) }),
    () => ({ kind: 'huge-content-length', method: 'POST', path, raw: 'huge-length' }),
    () => ({ kind: 'slow-body', method: 'POST', path, body: valid(), raw: 'slow-body' }),
    () => ({ ...json('unsigned', valid()), path: operation.path }),
    () => {
      const bad = userSig.slice(0, -6) + generator.pick(['AAAAAA', '______', '']);
      return { ...json('bad-signature', valid()), path: `${operation.path}?${signedQuery(bad, 1)}` };
    },
    () => ({ kind: 'wrong-method', method: generator.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']), path, ...(generator.chance(0.5) ? { body: valid() } : {}) }),
    () => ({ kind: 'unknown-path', method: 'POST', path: generator.pick(['/v4/recentcontact/nope', '/', `/${'a'.repeat(5000)}`, '/v4/../__sandbox/state']), body: valid() }),
    () => controlAbuse(generator),
  ];
  return generator.pick(hostile)();
}

/** Control-API calls that must be refused or answered without harm (never a valid fault: that would be sabotage by design). */
function controlAbuse(generator: Generator): FuzzRequest {
  const bodies = [
    '{"count":0,"errorCode":50004}',
    '{"httpStatus":200}',
    '{"errorCode":12345}',
    '{"drop":false}',
    `{"x":${nestedText(5000)}}`,
    '[]',
    '{"count":',
    '{"__proto__":{"drop":true}}',
    `{"${'k'.repeat(100_000)}":1}`,
  ];
  const choice = generator.int(0, 5);
  if (choice === 0) return { kind: 'control-abuse', method: 'POST', path: `${CONTROL_PREFIX}faults`, body: Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x7d]) };
  if (choice === 1) return { kind: 'control-abuse', method: generator.pick(['GET', 'POST', 'DELETE', 'PUT']), path: `${CONTROL_PREFIX}${generator.pick(['state', 'deletions', 'faults', 'nope', 'state/../faults'])}` };
  if (choice === 2) return { kind: 'control-abuse', method: 'DELETE', path: `${CONTROL_PREFIX}faults` };
  return { kind: 'control-abuse', method: 'POST', path: `${CONTROL_PREFIX}faults`, body: generator.pick(bodies) };
}

type Outcome = { readonly key: string; readonly status?: number };

const PER_REQUEST_DEADLINE_MS = 20_000;

function send(target: RunningSandbox, agent: Agent, request: FuzzRequest, bodyDeadlineMs: number): Promise<Outcome> {
  if (request.raw !== undefined) return sendRaw(target, request, bodyDeadlineMs);
  return new Promise((resolve) => {
    const body = request.body === undefined ? undefined : typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    const outgoing = httpRequest(
      { host: target.host, port: target.port, method: request.method, path: request.path, agent, headers: { ...request.headers, ...(body === undefined ? {} : { 'content-length': String(body.length) }) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve(classify(response.statusCode ?? 0, response.headers['content-type'], Buffer.concat(chunks))));
        response.on('error', () => resolve({ key: 'closed' }));
      },
    );
    outgoing.setTimeout(PER_REQUEST_DEADLINE_MS, () => {
      outgoing.destroy();
      resolve({ key: 'unanswered' });
    });
    outgoing.on('error', () => resolve({ key: 'closed' }));
    outgoing.end(body);
  });
}

/** Over a socket of its own: a Content-Length far beyond the body, or a body that stops arriving before its end. */
function sendRaw(target: RunningSandbox, request: FuzzRequest, bodyDeadlineMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(target.port, target.host);
    let received = '';
    let drip: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => finish({ key: 'unanswered' }), PER_REQUEST_DEADLINE_MS);
    const finish = (outcome: Outcome): void => {
      clearTimeout(deadline);
      clearInterval(drip);
      socket.destroy();
      resolve(outcome);
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => {
      const status = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
      if (status === undefined) return finish({ key: 'closed' });
      const bodyStart = received.indexOf('\r\n\r\n');
      const type = /content-type: ([^\r\n]+)/i.exec(received)?.[1];
      finish(classify(Number(status), type, Buffer.from(received.slice(bodyStart + 4), 'latin1')));
    });
    const body = typeof request.body === 'string' ? request.body : '{}';
    const length = request.raw === 'huge-length' ? 10 * 1024 * 1024 * 1024 : body.length;
    socket.write(`${request.method} ${request.path} HTTP/1.1\r\nHost: sandbox\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`);
    // The slow body sends a byte per tenth of the body deadline and never finishes in time.
    let index = 0;
    drip = setInterval(() => {
      if (!socket.destroyed && index < body.length) socket.write(body[index++] as string);
    }, Math.max(1, Math.floor(bodyDeadlineMs / 10)));
  });
}

function classify(status: number, contentType: string | undefined, body: Buffer): Outcome {
  if (status === 200 && contentType === 'application/json') {
    try {
      const code = (JSON.parse(body.toString('utf8')) as { ErrorCode?: unknown }).ErrorCode;
      // The control API answers plain JSON, not the vendor envelope.
      return { key: typeof code === 'number' ? `200 ErrorCode ${code}` : '200 control answer', status };
    } catch {
      return { key: '200 unreadable', status };
    }
  }
  return { key: String(status), status };
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  gc?.();
}

function memory(): MemoryFigures {
  collectGarbage();
  const usage = process.memoryUsage();
  return { rssBytes: usage.rss, heapUsedBytes: usage.heapUsed };
}

/** The timeouts of the sandbox under test: short, so slow bodies are cut quickly. */
const FUZZ_TIMEOUTS = { headersMs: 1000, bodyMs: 500, requestMs: 2000, keepAliveMs: 2000 };

export async function runSandboxFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const failures: string[] = [];
  const target = await startSandbox({
    rateLimit: 'off',
    allowFaults: true,
    timeouts: FUZZ_TIMEOUTS,
    maxStateBytes: 8 * 1024 * 1024,
    onError: (error) => failures.push(`the sandbox reported an error: ${String(error)}`),
  });
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 8 });
  const generator = new Generator(seededRandom(options.seed));
  const userSig = generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: defaultFixture.sdkAppId, identifier: ADMIN, expireSeconds: 86_400 });
  const outcomes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const warmUpEnd = Math.min(options.requests, Math.max(20, Math.floor(options.requests / 10)));
  let afterWarmUp: MemoryFigures | undefined;

  try {
    let next = 0;
    let end = warmUpEnd;
    const worker = async (): Promise<void> => {
      while (next < end) {
        const index = next++;
        // Made when sent, in index order, so a seed gives the same requests and no body outlives its call.
        const request = nextRequest(generator, userSig);
        kinds[request.kind] = (kinds[request.kind] ?? 0) + 1;
        const outcome = await send(target, agent, request, FUZZ_TIMEOUTS.bodyMs);
        outcomes[outcome.key] = (outcomes[outcome.key] ?? 0) + 1;
        if ((outcome.status ?? 0) >= 500) failures.push(`request ${index} (${request.kind} ${request.method} ${request.path.slice(0, 60)}) was answered ${outcome.status}`);
        if (outcome.key === 'unanswered') failures.push(`request ${index} (${request.kind}) was neither answered nor closed within ${PER_REQUEST_DEADLINE_MS} ms`);
      }
    };
    const workers = (): Promise<void[]> => Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
    // Warm-up first, so the memory baseline is taken with every code path loaded.
    await workers();
    afterWarmUp = memory();
    end = options.requests;
    await workers();
    // The server is still up and its state can be written out.
    const stateAnswer = await fetch(`${target.url}${CONTROL_PREFIX}state`);
    if (stateAnswer.status !== 200) failures.push(`GET ${CONTROL_PREFIX}state answered ${stateAnswer.status} at the end`);
    await stateAnswer.text();
  } finally {
    agent.destroy();
    await target.close();
  }
  return { requests: options.requests, outcomes, kinds, failures, afterWarmUp: afterWarmUp ?? memory(), atEnd: memory(), storedBytes: target.state.storedBytes };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatReport(report: FuzzReport): string {
  const sorted = (table: Readonly<Record<string, number>>): string =>
    Object.entries(table)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, count]) => `  ${key.padEnd(28)} ${count}`)
      .join('\n');
  return [
    `requests: ${report.requests}`,
    `answers:\n${sorted(report.outcomes)}`,
    `requests by kind:\n${sorted(report.kinds)}`,
    `memory after warm-up: RSS ${mib(report.afterWarmUp.rssBytes)}, heap ${mib(report.afterWarmUp.heapUsedBytes)}`,
    `memory at the end:    RSS ${mib(report.atEnd.rssBytes)}, heap ${mib(report.atEnd.heapUsedBytes)} (sandbox data estimate ${(report.storedBytes / 1024).toFixed(1)} KiB)`,
    report.failures.length === 0 ? 'failures: none' : `failures (${report.failures.length}):\n${report.failures.slice(0, 20).map((line) => `  ${line}`).join('\n')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { requests: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' } } });
  const requests = Number(values.requests);
  const seed = Number(values.seed);
  if (!Number.isInteger(requests) || requests < 1) throw new Error('--requests must be a positive integer');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const report = await runSandboxFuzz({ seed, requests });
  console.log(formatReport(report));
  process.exitCode = report.failures.length === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
