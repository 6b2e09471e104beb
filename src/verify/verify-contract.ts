/**
 * `verifyContract`: checks the document against a real app, with two test users the operator names, and reports
 * per rule whether the service still answers as the document says. Everything the run makes carries a run id and is
 * removed afterwards, also after a failure or an abort; the report names whatever could not be removed.
 */
import { operations, specVersion } from '../../generated/operations.js';
import { createChatGroupsClient, type ChatGroupsClient, type ChatGroupsClientOptions } from '../client/client.js';
import { DEFAULT_ASSIST_FLAGS } from '../paginate.js';
import { randomUint32 } from '../client/signing.js';
import type { Check } from './checks.js';
import { cleanUp, type CleanupResult } from './cleanup.js';
import { ContractRun } from './contract-run.js';
import { describeOutcome, InterruptedError, succeeded, type Exchange } from './exchange.js';
import { probes } from './probes.js';
import { inferredRules, type InferredRule } from './provenance.js';
import { DEFAULT_VERIFY_RATE, MAX_VERIFY_RATE } from './rate.js';
import { readPeerMarks } from './reads.js';
import { runScenario, scenario } from './scenario.js';

export interface VerifyContractOptions {
  /** How to reach and sign for the app; the check sets the rate limit and turns retries off itself. */
  readonly connection: ChatGroupsClientOptions;
  /** The test users: the owner, whose groups and marks the run makes and removes, and the peer of its conversation. */
  readonly users: readonly [owner: string, peer: string];
  /** Calls per second per operation (default DEFAULT_VERIFY_RATE, at most MAX_VERIFY_RATE). */
  readonly rate?: number;
  /** Also probe which code a call over the documented rate gets, by going over it (off by default). */
  readonly probeRateLimit?: boolean;
  /** Names everything the run makes; default 8 random hex digits. */
  readonly runId?: string;
  /** Stops the run between calls (a call in flight is aborted); the cleanup still runs. */
  readonly signal?: AbortSignal;
  /** Hears one line per call, e.g. for progress output. */
  readonly onProgress?: (line: string) => void;
}

export interface VerifyContractReport {
  readonly runId: string;
  readonly specVersion: string;
  readonly users: { readonly owner: string; readonly peer: string };
  /** Set when the run refused to start (a user that does not exist): nothing was changed. */
  readonly refused?: string;
  /** True when the signal stopped the run before its end. */
  readonly interrupted: boolean;
  /** Why parts of the run did not happen (a scenario step that failed, an unexpected error). */
  readonly problems: readonly string[];
  readonly checks: readonly Check[];
  readonly cleanup: CleanupResult;
}

export { DEFAULT_VERIFY_RATE, MAX_VERIFY_RATE };

export function newRunId(): string {
  return randomUint32().toString(16).padStart(8, '0');
}

export interface PlanInput {
  readonly users: readonly [string, string];
  readonly runId: string;
  readonly rate: number;
  readonly probeRateLimit: boolean;
  /** Where the calls go, as the user named it (a region or a base URL). */
  readonly endpoint: string;
  readonly admin: string;
}

/** What the run will do, printed before any call. */
export function contractPlan(input: PlanInput): string {
  const [owner, peer] = input.users;
  const prefix = `vc${input.runId}`;
  const rules = inferredRules();
  const lines = [
    `Contract check of document ${specVersion} against ${input.endpoint}, signed as admin ${input.admin}`,
    `Run id ${input.runId}: every group and mark the run makes is named with ${prefix}`,
    `Test users: ${owner} (owner of the groups and marks), ${peer} (peer of the marked conversation); nothing of any other user is read or changed`,
    `Rate: at most ${input.rate} calls per second per operation, single attempts${input.probeRateLimit ? '; the rate-limit probe goes over the documented limit once' : ''}`,
    '',
    'Before any change:',
    `  1. check that both users exist (get_list for ${owner} and for ${peer}); stop if either does not`,
    `  2. read the marks of ${owner}'s conversation with ${peer} (search_contact_group), to restore them at the end`,
    'Scenario (every answer is checked against the answer schema and the documented error codes):',
    ...scenario.map((step, index) => `  ${index + 3}. ${operations[step.operation].vendorCommand}: ${step.plan.replaceAll('<run>', prefix)}`),
    'Inferred rules of the document:',
    ...rules.map((rule) => `  ${planLine(rule, input.probeRateLimit)}`),
    'Cleanup (also after a failure or Ctrl-C):',
    `  restore the marks of ${owner}'s conversation with ${peer}, delete every group of ${owner} named ${prefix}…, read both back and report anything left`,
  ];
  return `${lines.join('\n')}\n`;
}

function planLine(rule: InferredRule, probeRateLimit: boolean): string {
  const where = `${rule.pointer} ${rule.rule}`;
  const probe = rule.probe === undefined ? undefined : probes[rule.probe];
  if (probe === undefined) return `${where}: not probed (${rule.notProbed ?? 'no probe'})`;
  if (probe.optIn !== undefined && !probeRateLimit) return `${where}: not probed (needs --${probe.optIn})`;
  return `${where}: probe ${rule.probe}: ${probe.plan}`;
}

function describeCall(call: Exchange): string {
  return `${operations[call.operation].vendorCommand}${call.random === undefined ? '' : ` random=${call.random}`}: ${describeOutcome(call)}`;
}

export async function verifyContract(options: VerifyContractOptions): Promise<VerifyContractReport> {
  const [owner, peer] = options.users;
  if (owner === peer || owner === '' || peer === '') throw new RangeError('users must be two different, non-empty UserIDs');
  const rate = options.rate ?? DEFAULT_VERIFY_RATE;
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_VERIFY_RATE) throw new RangeError(`rate must be an integer from 1 to ${MAX_VERIFY_RATE}`);
  const runId = options.runId ?? newRunId();
  const connection = options.connection;
  const makeClient = (extra: Partial<ChatGroupsClientOptions>): ChatGroupsClient =>
    createChatGroupsClient({ ...connection, ...extra, retry: false } as ChatGroupsClientOptions);
  const secretKey = (connection as { secretKey?: unknown }).secretKey;
  const run = new ContractRun({
    client: makeClient({ rateLimit: rate }),
    owner,
    peer,
    runId,
    secrets: typeof secretKey === 'string' ? [secretKey] : [],
    signal: options.signal,
    onCall: options.onProgress === undefined ? undefined : (call) => options.onProgress?.(describeCall(call)),
    unlimitedClient: options.probeRateLimit === true ? () => makeClient({ rateLimit: 'off' }) : undefined,
  });
  const base = { runId, specVersion, users: { owner, peer } };
  const problems: string[] = [];
  let interrupted = false;

  try {
    const refused = await checkUsers(run, [owner, peer]);
    if (refused !== undefined) return { ...base, refused, interrupted: false, problems, checks: run.checks, cleanup: { complete: true, left: [] } };
    const marks = await readPeerMarks(run);
    if (!marks.ok) {
      problems.push(`reading the marks of ${owner}'s conversation with ${peer} answered ${describeOutcome(marks.call)}; nothing was changed`);
      return { ...base, interrupted: false, problems, checks: run.checks, cleanup: { complete: true, left: [] } };
    }
    run.marksBefore = marks.marks;
    const stopped = await runScenario(run);
    if (stopped !== undefined) problems.push(stopped);
    await checkInferredRules(run, options.probeRateLimit === true);
  } catch (error) {
    if (error instanceof InterruptedError) interrupted = true;
    else problems.push(`the run stopped on an unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
  run.ignoreSignal();
  let cleanup: CleanupResult;
  try {
    cleanup = await cleanUp(run);
  } catch (error) {
    cleanup = { complete: false, left: [`the cleanup stopped on an unexpected error (${error instanceof Error ? error.message : String(error)}); groups named ${run.prefix}… of ${owner} may be left`] };
  }
  return { ...base, interrupted, problems, checks: run.checks, cleanup };
}

/** Undefined when both users exist; otherwise why the run refuses to go on. */
async function checkUsers(run: ContractRun, users: readonly string[]): Promise<string | undefined> {
  for (const user of users) {
    const call = await run.send('getRecentContactList', {
      From_Account: user,
      TimeStamp: 0,
      StartIndex: 0,
      TopTimeStamp: 0,
      TopStartIndex: 0,
      AssistFlags: DEFAULT_ASSIST_FLAGS,
    });
    if (!succeeded(call)) return `the test user ${JSON.stringify(user)} cannot be used: get_list answered ${describeOutcome(call)}; nothing was changed`;
  }
  return undefined;
}

async function checkInferredRules(run: ContractRun, probeRateLimit: boolean): Promise<void> {
  for (const rule of inferredRules()) {
    const probe = rule.probe === undefined ? undefined : probes[rule.probe];
    const provenance = {
      kind: 'inferred' as const,
      pointer: rule.pointer,
      reason: rule.reason,
      ...(rule.probe === undefined ? {} : { probe: rule.probe }),
      ...(rule.notProbed === undefined ? {} : { notProbed: rule.notProbed }),
    };
    const operation = rule.operationId ?? probe?.operation;
    const check = (status: Check['status'], detail: string, calls: readonly Exchange[]): Check => ({ operation, rule: rule.rule, provenance, status, evidence: { detail, calls } });
    if (probe === undefined) {
      run.checks.push(check('not-probed', rule.notProbed ?? (rule.probe === undefined ? 'the document names no probe' : `no probe ${rule.probe} in this version`), []));
    } else if (probe.optIn !== undefined && !probeRateLimit) {
      run.checks.push(check('not-probed', `it would go over the documented rate limit of the app; run with --${probe.optIn} to probe it`, []));
    } else {
      const outcome = await probe.run(run);
      run.checks.push(check(outcome.status, outcome.detail, outcome.calls));
    }
  }
}
