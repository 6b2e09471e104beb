/**
 * Retries: the retry matrix of scripts/bench/retry-matrix.ts (the same scenarios the script prints), run against the
 * sandbox's fault injection, plus the retry policy's arithmetic and its caps on attempts and time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../generated/error-codes.js';
import { matrixFixture, retryScenarios, runScenario, ADMIN, SDK_APP_ID, type ScenarioRun } from '../../scripts/bench/retry-matrix.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import type { AttemptEvent } from '../../src/client/events.js';
import { defaultRetryPolicy, fullJitterDelay, planRetry, type RetryPolicy } from '../../src/client/policy.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { Capture } from '../support/client-capture.js';
import { systemClock, type Clock } from '../../src/client/flow/clock.js';

const capture = new Capture();
const scenarios = retryScenarios();
/** The UserSig each request carried, by its `random`. */
const userSigByRandom = new Map<number, string>();
const runs: ScenarioRun[] = [];
let sandbox: RunningSandbox;

const recordingFetch = capture.fetch((input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  userSigByRandom.set(Number(url.searchParams.get('random')), url.searchParams.get('usersig') ?? '');
  return fetch(input, init);
});

beforeAll(async () => {
  capture.start();
  // Two spare users for the tests after the matrix.
  sandbox = await startSandbox({ port: 0, allowFaults: true, fixture: matrixFixture(scenarios.length + 2) });
  for (const [index, scenario] of scenarios.entries()) {
    const run = await runScenario(sandbox, scenario, index, { fetch: recordingFetch, onAttempt: capture.event });
    capture.result(run.result);
    runs.push(run);
  }
});

afterAll(async () => {
  capture.stop();
  await sandbox?.close();
});

describe('the retry matrix against the sandbox', () => {
  it('covers every code the error table marks retryable or re-sign-once', () => {
    const covered = new Set(scenarios.flatMap((scenario) => scenario.faults.map((fault) => fault.errorCode)));
    const due = Object.values(errorCodes).filter((info) => info.retryable || info.strategy === 're-sign-once');
    expect(due.filter((info) => !covered.has(info.code))).toEqual([]);
  });

  it.each(scenarios.map((scenario, index) => [scenario.injected, index] as const))('%s', (_injected, index) => {
    const run = runs[index] as ScenarioRun;
    expect({ attempts: run.result.attempts.length, final: run.final }).toEqual(run.scenario.expected);
  });

  it('never retries an answer the table marks non-retryable (other than re-sign-once)', () => {
    for (const run of runs) {
      const retried = run.result.attempts.slice(0, -1);
      for (const attempt of retried) {
        if (attempt.outcome.kind !== 'api') continue;
        const info = errorCodes[attempt.outcome.code as keyof typeof errorCodes];
        expect(info.retryable || info.strategy === 're-sign-once').toBe(true);
      }
    }
  });

  it('gives every attempt a fresh random, reported in the result and in one event per attempt', () => {
    for (const run of runs) {
      const randoms = run.result.attempts.map((attempt) => attempt.random);
      expect(new Set(randoms).size).toBe(randoms.length);
      expect(run.result.random).toBe(randoms.at(-1));
      expect(run.events.map((event) => event.random)).toEqual(randoms);
      expect(run.events.map((event) => event.attempt)).toEqual(randoms.map((_random, index) => index + 1));
      for (const event of run.events) expect(event.url).toContain(`&random=${event.random}&`);
    }
  });

  it('signs each attempt anew: a new UserSig after 70001/70052, the cached one otherwise', () => {
    for (const run of runs) {
      const sigs = run.result.attempts.map((attempt) => userSigByRandom.get(attempt.random));
      run.events.forEach((event: AttemptEvent, index) => {
        const next = sigs[index + 1];
        if (next === undefined) return;
        if (event.next.action === 'retry' && event.next.reason === 're-sign') expect(next).not.toBe(sigs[index]);
        else expect(next).toBe(sigs[index]);
      });
    }
    const reSigned = runs.filter((run) => run.events.some((event) => event.next.action === 'retry' && event.next.reason === 're-sign'));
    expect(reSigned.length).toBeGreaterThanOrEqual(4);
    for (const run of reSigned) expect(run.userSigs).toHaveLength(2);
  });

  it('says in the last event why it stopped', () => {
    const reasons = runs.map((run) => run.events.at(-1)?.next);
    expect(reasons.every((next) => next?.action === 'stop')).toBe(true);
    expect(new Set(reasons.map((next) => (next?.action === 'stop' ? next.reason : '')))).toEqual(
      new Set(['succeeded', 'not-retryable', 'max-attempts', 'max-elapsed', 'already-re-signed']),
    );
  });
});

describe('retry policy', () => {
  const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...defaultRetryPolicy, ...overrides });
  const history = { attempts: 1, elapsedMs: 0, reSigned: false };

  it('waits a uniformly random time up to a cap that doubles per retry and stops at maxDelayMs (full jitter)', () => {
    const highest = policy({ baseDelayMs: 100, maxDelayMs: 1_000, jitter: () => 0.999_999 });
    expect([1, 2, 3, 4, 5, 6].map((retry) => fullJitterDelay(highest, 100, retry))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(fullJitterDelay(policy({ jitter: () => 0 }), 100, 3)).toBe(0);
    const draws = Array.from({ length: 500 }, () => fullJitterDelay(policy({ baseDelayMs: 100 }), 100, 3));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(400);
    expect(new Set(draws).size).toBeGreaterThan(100);
  });

  it('uses the longer base for rate-limit answers and the lockout wait for 70050', () => {
    const fixed = policy({ jitter: () => 0.5, baseDelayMs: 100, rateLimitBaseDelayMs: 1_000, lockoutDelayMs: 60_000, maxElapsedMs: 100_000 });
    expect(planRetry(fixed, 'backoff', history)).toEqual({ action: 'retry', reason: 'backoff', delayMs: 50 });
    expect(planRetry(fixed, 'rate-limit-backoff', history)).toEqual({ action: 'retry', reason: 'rate-limit-backoff', delayMs: 500 });
    expect(planRetry(fixed, 'wait-60s', history)).toEqual({ action: 'retry', reason: 'lockout', delayMs: 60_000 });
  });

  it('stops on a non-retryable strategy, at maxAttempts, past maxElapsedMs, after one re-sign, and with retries off', () => {
    expect(planRetry(policy(), 'none', history)).toEqual({ action: 'stop', reason: 'not-retryable' });
    expect(planRetry(policy({ maxAttempts: 3 }), 'backoff', { ...history, attempts: 3 })).toEqual({ action: 'stop', reason: 'max-attempts' });
    expect(planRetry(policy({ maxElapsedMs: 1_000, jitter: () => 0.5 }), 'backoff', { ...history, elapsedMs: 950 })).toEqual({
      action: 'stop',
      reason: 'max-elapsed',
    });
    expect(planRetry(policy(), 're-sign-once', { ...history, reSigned: true })).toEqual({ action: 'stop', reason: 'already-re-signed' });
    expect(planRetry({ ...policy(), enabled: false, maxAttempts: 1 }, 'backoff', history)).toEqual({ action: 'stop', reason: 'retries-off' });
  });
});

describe('caps on a call against the sandbox', () => {
  const persistentFailure = async (): Promise<void> => {
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'POST', body: JSON.stringify({ count: 100, errorCode: 50004 }) });
  };
  const client = (retry: object, clock?: Clock) => {
    const events: AttemptEvent[] = [];
    const chat = createChatGroupsClient({
      sdkAppId: SDK_APP_ID,
      identifier: ADMIN,
      secretKey: DEVELOPMENT_SECRET_KEY,
      baseUrl: sandbox.url,
      fetch: recordingFetch,
      retry,
      ...(clock === undefined ? {} : { clock }),
      onAttempt: (event) => {
        events.push(event);
        capture.event(event);
      },
    });
    return { chat, events };
  };
  const body = { From_Account: `m${scenarios.length}`, GroupName: ['g'] as [string] };

  it('starts no retry whose wait would end after maxElapsedMs', async () => {
    await persistentFailure();
    const { chat, events } = client({ maxAttempts: 10, maxElapsedMs: 500, baseDelayMs: 100, maxDelayMs: 10_000, jitter: () => 0.999_999 });
    const result = capture.result(await chat.delContactGroup(body));
    expect(result.ok ? 0 : result.error.code).toBe(50004);
    // Waits of 99 and 199 ms fit in 500 ms; the third (399 ms, after more than 298 ms) would not.
    expect(result.attempts).toHaveLength(3);
    expect(events.map((event) => event.next)).toEqual([
      { action: 'retry', reason: 'backoff', delayMs: 99 },
      { action: 'retry', reason: 'backoff', delayMs: 199 },
      { action: 'stop', reason: 'max-elapsed' },
    ]);
  });

  it('ends a backoff wait at once when the caller aborts, returning what the last attempt got', async () => {
    await persistentFailure();
    // A clock on which the 10 s backoff never ends by itself: only the abort can end the wait, or the test times out.
    const { chat, events } = client({ maxAttempts: 5, baseDelayMs: 10_000, maxDelayMs: 10_000, jitter: () => 0.999_999 }, waitsNeverEnd(9_000));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = capture.result(await chat.delContactGroup(body, { signal: controller.signal }));
    expect(result.ok ? 0 : result.error.code).toBe(50004);
    expect(result.attempts).toHaveLength(1);
    expect(events[0]?.next).toMatchObject({ action: 'retry', reason: 'backoff' });
    await fetch(`${sandbox.url}/__sandbox/faults`, { method: 'DELETE' });
  });
});

describe('secrets', () => {
  it('leaks no secret key and no UserSig in anything the retry tests captured', () => {
    // Each scenario's provider makes the same few sigs within a second, so there are only a handful of distinct ones.
    expect(capture.userSigs.size).toBeGreaterThan(0);
    for (const run of runs) for (const userSig of run.userSigs) expect(capture.userSigs.has(userSig)).toBe(true);
    expect(capture.texts.length).toBeGreaterThan(runs.length * 4);
    expect(capture.leaks([DEVELOPMENT_SECRET_KEY, ...capture.userSigs, ...runs.flatMap((run) => run.userSigs)])).toEqual([]);
  });
});

/** The system clock, except that no timer of `fromMs` or more ever fires. */
function waitsNeverEnd(fromMs: number): Clock {
  return {
    now: () => systemClock.now(),
    setTimeout: (callback, ms) => (ms >= fromMs ? undefined : systemClock.setTimeout(callback, ms)),
    clearTimeout: (handle) => {
      if (handle !== undefined) systemClock.clearTimeout(handle);
    },
  };
}
