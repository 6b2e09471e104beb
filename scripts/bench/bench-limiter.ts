/**
 * Limiter accuracy: the typed client with its default limit (the spec's 200 calls/s) against a sandbox started
 * in-process with its default limit (also the spec's 200/s, enforced as an exact sliding window on arrival). After
 * a warm-up (not measured), two windows' worth of callers keep the limiter's queue full for the whole run.
 * Reported: the achieved rate over the first `--seconds` seconds of sending, as a share of the limit; the most calls
 * sent in any one-second window; and how many calls the sandbox answered with a rate-limit code (retries are off,
 * so none is hidden). The machine's other load shows up here: the limiter counts each call until a window after its
 * answer, so slow answers cost quota (they never cause a rate-limit answer).
 *
 *   npx tsx scripts/bench/bench-limiter.ts [--seconds S] [--out FILE] [--write-docs]
 *
 * Targets: at least 99 % of the limit, at most the limit in any one-second window, and no rate-limit answer.
 */
import { parseArgs } from 'node:util';
import { errorCodes, type DocumentedErrorCode } from '../../generated/error-codes.js';
import { operations } from '../../generated/operations.js';
import type { CallResult } from '../../src/client/call-types.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type Fixture } from '../../src/sandbox/index.js';
import { mostInAnyWindow, publishReport, reportOptions } from './bench-support.js';

const SDK_APP_ID = 1400000000;
const ADMIN = 'administrator';
const TARGET_SHARE = 0.99;

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, ...reportOptions } });
const seconds = Number(values.seconds);
if (!(seconds >= 1)) throw new Error('--seconds must be at least 1');

const { calls: limit, perSeconds } = operations.delContactGroup.rateLimit;
const windowMs = perSeconds * 1000;
// One window more than measured, so the limiter still has a backlog when the measured span ends.
const total = Math.ceil(limit * (seconds / perSeconds + 1));

function fixture(): Fixture {
  const users = Object.fromEntries(
    Array.from({ length: total }, (_, index) => [`u${index}`, { groups: { g: [{ Type: 1 as const, To_Account: ADMIN }] } }]),
  );
  return { sdkAppId: SDK_APP_ID, admins: [ADMIN], edition: 'ultimate', users };
}

const sandbox = await startSandbox({ port: 0, fixture: fixture() });
const sentAt: number[] = [];
// Records when each request is handed to fetch: the moment the limiter let it go.
const recordingFetch: typeof fetch = (input, init) => {
  sentAt.push(performance.now());
  return fetch(input, init);
};
const client = createChatGroupsClient({
  sdkAppId: SDK_APP_ID,
  identifier: ADMIN,
  secretKey: DEVELOPMENT_SECRET_KEY,
  baseUrl: sandbox.url,
  fetch: recordingFetch,
  retry: false,
});

// Warm-up, not measured: the first fetch loads Node's HTTP client and the first few hundred calls run unoptimised
// code, which would otherwise show up as slow answers in the first window. A window's rest follows so the sandbox
// counts none of these against the measured run.
const warmUp = createChatGroupsClient({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: DEVELOPMENT_SECRET_KEY, baseUrl: sandbox.url, rateLimit: 'off', retry: false });
for (let round = 0; round < 5; round += 1) {
  await Promise.all(Array.from({ length: limit / 10 }, () => warmUp.delContactGroup({ From_Account: 'warm-up', GroupName: ['g'] })));
}
await new Promise((resolve) => setTimeout(resolve, windowMs + 100));

// Two windows' worth of callers keep the limiter's queue full all the time, as a batch job's workers would, without
// building every call up front.
const results: CallResult<'delContactGroup'>[] = [];
let next = 0;
const worker = async (): Promise<void> => {
  while (next < total) {
    const index = next++;
    results.push(await client.delContactGroup({ From_Account: `u${index}`, GroupName: ['g'] }));
  }
};
const started = performance.now();
await Promise.all(Array.from({ length: 2 * limit }, worker));
const elapsedMs = performance.now() - started;
await sandbox.close();

sentAt.sort((a, b) => a - b);
const first = sentAt[0] ?? 0;
const measuredMs = seconds * 1000;
const inSpan = sentAt.filter((time) => time < first + measuredMs).length;
const achieved = inSpan / (measuredMs / 1000);
const busiest = mostInAnyWindow(sentAt, windowMs);
const rateLimited = results.filter(
  (result) => !result.ok && result.error.kind === 'api' && errorCodes[result.error.code as DocumentedErrorCode]?.strategy === 'rate-limit-backoff',
).length;
const succeeded = results.filter((result) => result.ok).length;
const otherFailures = results.length - succeeded - rateLimited;
const share = achieved / (limit / perSeconds);

const verdicts = [
  share >= TARGET_SHARE ? 'met' : 'MISSED',
  busiest <= limit ? 'met' : 'MISSED',
  rateLimited === 0 ? 'met' : 'MISSED',
];
const report = [
  `Limiter accuracy against the in-process sandbox, limit ${limit} per ${perSeconds} s on both sides (Node ${process.version})`,
  '',
  '| measured | calls | achieved rate | share of limit | most calls in any 1 s window | rate-limit answers | other failures |',
  '|---|---:|---:|---:|---:|---:|---:|',
  `| first ${seconds} s of sending (run ${(elapsedMs / 1000).toFixed(2)} s, ${total} calls) | ${inSpan} | ${achieved.toFixed(1)}/s | ${(share * 100).toFixed(2)} % | ${busiest} | ${rateLimited} | ${otherFailures} |`,
  '',
  `Targets: ≥ 99 % of the limit: ${verdicts[0]}; ≤ ${limit} in any window: ${verdicts[1]}; no rate-limit answer: ${verdicts[2]}.`,
];
await publishReport(report.join('\n'), { out: values.out, writeDocs: values['write-docs'], section: { file: 'docs/benchmarks.md', name: 'bench:limiter' } });
if (verdicts.includes('MISSED')) process.exitCode = 1;
