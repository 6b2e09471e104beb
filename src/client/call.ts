/**
 * A whole call: check the body, then attempts until one succeeds or the policy (policy.ts) says stop, each attempt
 * signed anew; fail over to the backup host when the current one cannot be reached; report every attempt; and tell
 * an unclear outcome (an unanswered attempt followed by an answer it would explain) apart from success and failure.
 */
import { itemFailures } from '../item-results.js';
import type { OperationId } from '../../generated/operations.js';
import { attemptOutcome, attemptUrl, runAttempt, type AttemptDependencies, type AttemptReport } from './attempt.js';
import { MAX_TIMER_MS } from './options.js';
import { sleep } from './flow/clock.js';
import type { RequestBody, ResponseBody } from './bodies.js';
import type { CallInit, CallResult } from './call-types.js';
import type { Endpoint, Endpoints } from './endpoints.js';
import { RequestValidationError, UnclearOutcomeError, type UnansweredAttempt } from '../errors.js';
import { emitAttempt, type AttemptHook, type AttemptRecord } from './events.js';
import { nextStep, possibleEarlierEffect, unreachable, type NextStep, type RetryPolicy } from './policy.js';
import { validateRequest } from '../validate.js';

export interface CallDependencies extends AttemptDependencies {
  readonly endpoints: Endpoints;
  readonly retry: RetryPolicy;
  readonly timeoutMs: number;
  readonly onAttempt: AttemptHook | undefined;
}

interface CallState {
  readonly startedAt: number;
  readonly records: AttemptRecord[];
  readonly unanswered: UnansweredAttempt[];
  reSigned: boolean;
  failedOver: boolean;
}

type Attempts = readonly [AttemptRecord, ...AttemptRecord[]];

function decide(
  dependencies: CallDependencies,
  report: AttemptReport<OperationId>,
  state: CallState,
  signal: AbortSignal | undefined,
): NextStep {
  const { answer, endpoint } = report;
  if (answer.ok) return { action: 'stop', reason: 'succeeded' };
  const history = {
    attempts: state.records.length,
    elapsedMs: dependencies.clock.now() - state.startedAt,
    reSigned: state.reSigned,
  };
  return nextStep(dependencies.retry, answer.error, history, {
    aborted: signal?.aborted === true,
    canFailOver: !state.failedOver && dependencies.endpoints.alternative(endpoint) !== undefined,
  });
}

function nextEndpoint(dependencies: CallDependencies, report: AttemptReport<OperationId>, step: NextStep, state: CallState): Endpoint {
  const { endpoint } = report;
  if (step.action === 'retry' && step.reason === 'failover') {
    state.failedOver = true;
    return dependencies.endpoints.alternative(endpoint) ?? endpoint;
  }
  return dependencies.endpoints.current();
}

function finish<Op extends OperationId>(
  operationId: Op,
  body: RequestBody<Op>,
  report: AttemptReport<Op>,
  state: CallState,
): CallResult<Op> {
  const attempts = state.records as unknown as Attempts;
  const common = { random: report.random, operationId, attempts, host: report.endpoint.host, endpoint: report.endpoint.role };
  const { answer } = report;
  if (answer.ok) {
    const data = answer.data as ResponseBody<Op>;
    const failures = itemFailures(data);
    return { ok: true, data, partial: failures.length > 0, itemFailures: failures, ...common };
  }
  const { error } = answer;
  const [firstUnanswered, ...moreUnanswered] = state.unanswered;
  if (error.kind === 'api' && firstUnanswered !== undefined) {
    const possibleEffect = possibleEarlierEffect(operationId, body, error.code);
    if (possibleEffect !== undefined) {
      const unclear = new UnclearOutcomeError<Op>({ answer: error, unanswered: [firstUnanswered, ...moreUnanswered], possibleEffect });
      return { ok: false, error: unclear, ...common };
    }
  }
  return { ok: false, error, ...common };
}

/** Rejects only when `init.timeoutMs` is out of range, a programming error; every outcome resolves. */
export async function runCall<Op extends OperationId>(
  dependencies: CallDependencies,
  operationId: Op,
  body: RequestBody<Op>,
  init: CallInit = {},
): Promise<CallResult<Op>> {
  const [firstViolation, ...moreViolations] = validateRequest(operationId, body);
  if (firstViolation !== undefined) {
    return {
      ok: false,
      error: new RequestValidationError(operationId, [firstViolation, ...moreViolations]),
      operationId,
      attempts: [],
    };
  }

  const timeoutMs = init.timeoutMs ?? dependencies.timeoutMs;
  if (!(timeoutMs >= 1 && timeoutMs <= MAX_TIMER_MS)) {
    // A programming error rather than an outcome, like a bad client option; nothing is sent.
    throw new RangeError(`timeoutMs must be a number of milliseconds from 1 to ${MAX_TIMER_MS}`);
  }
  const { clock } = dependencies;
  const state: CallState = { startedAt: clock.now(), records: [], unanswered: [], reSigned: false, failedOver: false };
  let endpoint = dependencies.endpoints.current();
  for (;;) {
    const report = await runAttempt<Op>(dependencies, {
      operationId,
      body,
      endpoint,
      timeoutMs,
      signal: init.signal,
      headers: init.headers,
      reSigned: state.reSigned,
    });
    const record: AttemptRecord = {
      attempt: state.records.length + 1,
      random: report.random,
      host: report.endpoint.host,
      endpoint: report.endpoint.role,
      queuedMs: report.queuedMs,
      durationMs: report.durationMs,
      outcome: attemptOutcome(report.answer),
    };
    state.records.push(record);
    // Later calls go to the other host for a while, whether or not this one goes on.
    if (!report.answer.ok && unreachable(report.answer.error)) dependencies.endpoints.markUnreachable(report.endpoint);
    const step = decide(dependencies, report, state, init.signal);
    if (dependencies.onAttempt !== undefined) {
      emitAttempt(dependencies.onAttempt, { ...record, operationId, url: attemptUrl(dependencies, operationId, report), next: step });
    }
    if (step.action === 'stop' || report.answer.ok) return finish(operationId, body, report, state);

    const { error } = report.answer;
    if (error.kind === 'network' && error.delivery === 'unknown') {
      state.unanswered.push({
        attempt: record.attempt,
        random: record.random,
        reason: error.reason,
        ...(error.status === undefined ? {} : { status: error.status }),
      });
    }
    if (step.reason === 're-sign') state.reSigned = true;
    endpoint = nextEndpoint(dependencies, report, step, state);
    try {
      await sleep(step.delayMs, clock, init.signal);
    } catch {
      // The caller gave up while waiting to retry: the call ends with what the last attempt got.
      return finish(operationId, body, report, state);
    }
  }
}
