/**
 * The retry matrix: for each outcome the sandbox's fault injection can produce (every ErrorCode the generated table
 * marks retryable or re-sign-once, a sample of non-retryable ones, HTTP 5xx, a dropped connection, a timeout, and
 * the "lost answer then 51009" cases), how many attempts the client makes and what the call returns.
 *
 * The scenarios live here and nowhere else: test/client/retry.test.ts asserts exactly these, so the printed table
 * and the tested behaviour cannot drift apart. Backoff delays are tiny so the whole matrix runs in about a second.
 *
 *   npx tsx scripts/bench/retry-matrix.ts [--out FILE] [--write-docs]
 */
import { pathToFileURL } from 'node:url';
import { errorCodes, type DocumentedErrorCode } from '../../generated/error-codes.js';
import type { CallResult } from '../../src/client/call-types.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import type { AttemptEvent } from '../../src/client/events.js';
import type { RetryOptions } from '../../src/client/policy.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type Fixture, type RunningSandbox } from '../../src/sandbox/index.js';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { parseArgs } from 'node:util';
import { publishReport, reportOptions } from './bench-support.js';

export const SDK_APP_ID = 1400000000;
export const ADMIN = 'administrator';

/** A fault as the sandbox's control API takes it (POST /__sandbox/faults). */
export interface FaultRequest {
  readonly count?: number;
  readonly operation?: string;
  readonly errorCode?: number;
  readonly httpStatus?: number;
  readonly drop?: true;
  readonly delayMs?: number;
  readonly afterProcessing?: boolean;
}

export interface RetryScenario {
  /** The "outcome injected" column. */
  readonly injected: string;
  readonly faults: readonly FaultRequest[];
  /** Client settings beyond the matrix defaults (e.g. a short timeout). */
  readonly retry?: RetryOptions;
  readonly timeoutMs?: number;
  readonly expected: { readonly attempts: number; readonly final: string };
  /** Why this row matters, for the table. */
  readonly note?: string;
}

/** Small waits so the matrix is quick; the structure (caps, doubling, jitter) is the same as with the defaults. */
export const MATRIX_RETRY: RetryOptions = {
  maxAttempts: 4,
  maxElapsedMs: 5_000,
  baseDelayMs: 2,
  maxDelayMs: 20,
  rateLimitBaseDelayMs: 5,
  lockoutDelayMs: 20,
};
export const MATRIX_TIMEOUT_MS = 2_000;

const OPERATION = 'delContactGroup';

function once(fault: Omit<FaultRequest, 'count' | 'operation'>, count = 1): FaultRequest {
  return { count, operation: OPERATION, ...fault };
}

const codeInfo = (code: number) => errorCodes[code as DocumentedErrorCode];

/** Every scenario, derived from the generated error table where it can be, so a code added to the spec is covered. */
export function retryScenarios(): RetryScenario[] {
  const all = Object.values(errorCodes);
  const retryable = all.filter((info) => info.retryable);
  const reSign = all.filter((info) => info.strategy === 're-sign-once');
  const nonRetryableSample = [50001, 50002, 50003, 51009, 51011, 51013, 60002, 60006, 60020, 70003, 70009, 70013, 70020].filter(
    (code) => codeInfo(code) !== undefined && !codeInfo(code).retryable && codeInfo(code).strategy === 'none',
  );
  const maxAttempts = MATRIX_RETRY.maxAttempts ?? 4;
  return [
    ...retryable.map((info) => ({
      injected: `ErrorCode ${info.code} once (${info.strategy})`,
      faults: [once({ errorCode: info.code })],
      expected: { attempts: 2, final: 'ok' },
    })),
    {
      injected: 'ErrorCode 50004 on every attempt',
      faults: [once({ errorCode: 50004 }, maxAttempts + 2)],
      expected: { attempts: maxAttempts, final: 'api 50004' },
      note: 'stops at maxAttempts',
    },
    {
      injected: 'ErrorCode 60007 on every attempt',
      faults: [once({ errorCode: 60007 }, maxAttempts + 2)],
      expected: { attempts: maxAttempts, final: 'api 60007' },
      note: 'rate-limit backoff, stops at maxAttempts',
    },
    {
      injected: 'ErrorCode 70050 once, with the default 60 s lockout wait',
      faults: [once({ errorCode: 70050 })],
      retry: { lockoutDelayMs: 60_000 },
      expected: { attempts: 1, final: 'api 70050' },
      note: 'the wait would end after maxElapsedMs, so no retry',
    },
    ...reSign.flatMap((info) => [
      {
        injected: `ErrorCode ${info.code} once (${info.strategy})`,
        faults: [once({ errorCode: info.code })],
        expected: { attempts: 2, final: 'ok' },
        note: 'new UserSig, retried at once',
      },
      {
        injected: `ErrorCode ${info.code} twice`,
        faults: [once({ errorCode: info.code }, 2)],
        expected: { attempts: 2, final: `api ${info.code}` },
        note: 're-signs only once',
      },
    ]),
    ...nonRetryableSample.map((code) => ({
      injected: `ErrorCode ${code} (not retryable)`,
      faults: [once({ errorCode: code })],
      expected: { attempts: 1, final: `api ${code}` },
    })),
    ...[502, 503, 504].map((status) => ({
      injected: `HTTP ${status} once`,
      faults: [once({ httpStatus: status })],
      expected: { attempts: 2, final: 'ok' },
    })),
    {
      injected: 'HTTP 500 once',
      faults: [once({ httpStatus: 500 })],
      expected: { attempts: 1, final: 'network http-status 500' },
      note: 'only 502/503/504 are retried',
    },
    {
      injected: 'dropped connection once',
      faults: [once({ drop: true })],
      expected: { attempts: 2, final: 'ok' },
    },
    {
      injected: 'timeout once (answer delayed 300 ms, timeout 60 ms)',
      faults: [once({ delayMs: 300 })],
      timeoutMs: 60,
      expected: { attempts: 2, final: 'ok' },
      note: 'the retry deletes the group before the late attempt is processed',
    },
    {
      injected: 'dropped connection after the delete was done',
      faults: [once({ drop: true, afterProcessing: true })],
      expected: { attempts: 2, final: 'unclear 51009' },
      note: 'the group may have been deleted by attempt 1',
    },
    {
      injected: 'HTTP 502 after the delete was done',
      faults: [once({ httpStatus: 502, afterProcessing: true })],
      expected: { attempts: 2, final: 'unclear 51009' },
      note: 'the group may have been deleted by attempt 1',
    },
    {
      injected: 'timeout, the delete done before the retry (delay 80 ms, timeout 40 ms, wait 150 ms)',
      faults: [once({ delayMs: 80 })],
      timeoutMs: 40,
      // A fixed wait longer than the delay, so the late attempt is processed before the retry arrives.
      retry: { baseDelayMs: 150, maxDelayMs: 150, jitter: () => 0.999_999 },
      expected: { attempts: 2, final: 'unclear 51009' },
      note: 'the group may have been deleted by attempt 1',
    },
  ];
}

/** Users m0, m1, … each with one group `g`, so every scenario deletes a group of its own. */
export function matrixFixture(count: number): Fixture {
  const users = Object.fromEntries(
    Array.from({ length: count }, (_, index) => [`m${index}`, { groups: { g: [{ Type: 1 as const, To_Account: ADMIN }] } }]),
  );
  return { sdkAppId: SDK_APP_ID, admins: [ADMIN], edition: 'ultimate', users };
}

/**
 * The final result in one short string: `ok`, `api <code>`, `unclear <code>`, `network <reason>[ <status>]`, or the
 * kind and reason of the other failures.
 */
export function describeFinal(result: CallResult<'delContactGroup'>): string {
  if (result.ok) return 'ok';
  const { error } = result;
  switch (error.kind) {
    case 'api':
    case 'unclear':
      return `${error.kind} ${error.code}`;
    case 'network':
      return `network ${error.reason}${error.status === undefined ? '' : ` ${error.status}`}`;
    case 'validation':
      return `validation ${error.code}`;
    case 'unexpected-answer':
    case 'usersig':
      return `${error.kind} ${error.reason}`;
  }
}

export interface ScenarioRun {
  readonly scenario: RetryScenario;
  readonly result: CallResult<'delContactGroup'>;
  readonly final: string;
  readonly events: readonly AttemptEvent[];
  /** Every UserSig the provider handed out during the run. */
  readonly userSigs: readonly string[];
}

export interface ScenarioHooks {
  /** Sees every request the client sends (e.g. to record the UserSigs in its URL). */
  readonly fetch?: typeof globalThis.fetch;
  readonly onAttempt?: (event: AttemptEvent) => void;
}

async function control(sandbox: RunningSandbox, method: 'POST' | 'DELETE', body?: FaultRequest): Promise<void> {
  const response = await fetch(`${sandbox.url}/__sandbox/faults`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  if (!response.ok) throw new Error(`the sandbox refused the fault ${JSON.stringify(body)}: ${await response.text()}`);
}

/** Runs one scenario with a fresh client (no UserSig cached, primary host preferred) against `sandbox`. */
export async function runScenario(sandbox: RunningSandbox, scenario: RetryScenario, index: number, hooks: ScenarioHooks = {}): Promise<ScenarioRun> {
  await control(sandbox, 'DELETE');
  for (const fault of scenario.faults) await control(sandbox, 'POST', fault);
  const userSigs: string[] = [];
  const events: AttemptEvent[] = [];
  // Each UserSig differs (its validity grows by a second per sig), so a re-signed attempt is visibly re-signed.
  const provider = (): string => {
    const userSig = generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 86_400 + userSigs.length });
    userSigs.push(userSig);
    return userSig;
  };
  const client = createChatGroupsClient({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    userSig: provider,
    baseUrl: sandbox.url,
    retry: { ...MATRIX_RETRY, ...scenario.retry },
    timeoutMs: scenario.timeoutMs ?? MATRIX_TIMEOUT_MS,
    onAttempt: (event) => {
      events.push(event);
      hooks.onAttempt?.(event);
    },
    ...(hooks.fetch === undefined ? {} : { fetch: hooks.fetch }),
  });
  const result = await client.delContactGroup({ From_Account: `m${index}`, GroupName: ['g'] });
  await control(sandbox, 'DELETE');
  return { scenario, result, final: describeFinal(result), events, userSigs };
}

export async function runMatrix(hooks: ScenarioHooks = {}): Promise<ScenarioRun[]> {
  const scenarios = retryScenarios();
  const sandbox = await startSandbox({ port: 0, allowFaults: true, fixture: matrixFixture(scenarios.length) });
  try {
    const runs: ScenarioRun[] = [];
    for (const [index, scenario] of scenarios.entries()) runs.push(await runScenario(sandbox, scenario, index, hooks));
    return runs;
  } finally {
    await sandbox.close();
  }
}

export function matrixTable(runs: readonly ScenarioRun[]): string {
  const lines = [
    '| outcome injected | attempts made | final result | as expected | note |',
    '|---|---:|---|---|---|',
    ...runs.map(({ scenario, result, final }) => {
      const matches = result.attempts.length === scenario.expected.attempts && final === scenario.expected.final;
      return `| ${scenario.injected} | ${result.attempts.length} | ${final} | ${matches ? 'yes' : `NO (expected ${scenario.expected.attempts}, ${scenario.expected.final})`} | ${scenario.note ?? ''} |`;
    }),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: reportOptions });
  const runs = await runMatrix();
  const defaults = Object.entries(MATRIX_RETRY)
    .map(([name, value]) => `${name} ${String(value)}`)
    .join(', ');
  const report = `Retry matrix against the sandbox's fault injection (retry: ${defaults}; timeoutMs ${MATRIX_TIMEOUT_MS} unless stated)\n\n${matrixTable(runs)}`;
  await publishReport(report, { out: values.out, writeDocs: values['write-docs'], section: { file: 'docs/benchmarks.md', name: 'bench:retry-matrix' } });
  if (runs.some((run) => run.result.attempts.length !== run.scenario.expected.attempts || run.final !== run.scenario.expected.final)) {
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
