/**
 * Fleet benchmark: several `chat-groups delete-group` bulk runs of one app, each a child process of the real program
 * with `--shard K/N` and `--redis`, against one sandbox that enforces the vendor's 200 calls per second for the whole
 * app, and a real redis-server started here.
 *
 *   npx tsx scripts/bench/bench-fleet.ts [--users N] [--out FILE] [--write-docs]
 *
 * Scenarios (each on fresh users of one sandbox, a fresh Redis, `--max-attempts 1` so that every 60007 the sandbox
 * answers shows in the results files instead of being retried away):
 *   1. four shards of N users at once: aggregate deletions per second, 60007 answers, the most calls the sandbox
 *      received in any 1 s window (refused ones included), and whether each user has exactly one result;
 *   2. the same with shard 1 SIGKILLed after 3 s and resumed at once from its results file: 60007 answers on resume;
 *   3. the same with Redis SIGKILLed after 3 s and restarted empty on its port 3 s later: whether every run finished,
 *      60007 answers, the most calls in any 1 s window, and the limiter switches the runs reported;
 *   4. one process alone with the Redis store: deletions per second against the quota (overhead of the store).
 * Targets: aggregate >= 190/s and >= 99 % of 200/s over the middle of the run, 0 x 60007, at most 200 calls in any
 * 1 s window, every user once, and >= 95 % of the quota for one process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type * as SandboxModule from '../../src/sandbox/index.js';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import { buildPackageForBench, mostInAnyWindow, publishReport, reportOptions } from './bench-support.js';

const SDK_APP_ID = 1400000000;
const LIMIT = 200;
const SHARDS = 4;

const { values } = parseArgs({ options: { users: { type: 'string', default: '4000' }, ...reportOptions } });
const USERS = Number(values.users);

interface Run {
  readonly child: ChildProcess;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

interface Line {
  readonly type: string;
  readonly user?: string;
  readonly code?: number | null;
  readonly outcome?: string;
  readonly at?: string;
}

const dist = await buildPackageForBench('bench-fleet-', 'src/cli/main.js');
const sandboxModule = (await import(join(dist, 'src/sandbox/index.js'))) as typeof SandboxModule;
const work = await mkdtemp(join(tmpdir(), 'bench-fleet-'));

function users(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}

async function sandboxFor(list: readonly string[]): Promise<{ sandbox: SandboxModule.RunningSandbox; receipts: number[] }> {
  const receipts: number[] = [];
  const sandbox = await sandboxModule.startSandbox({
    rateLimit: LIMIT,
    fixture: {
      sdkAppId: SDK_APP_ID,
      admins: ['administrator'],
      edition: 'ultimate',
      users: { administrator: { groups: {} }, ...Object.fromEntries(list.map((user) => [user, { groups: { work: [{ Type: 1, To_Account: 'administrator' }] } }])) },
    },
    clock: () => {
      const now = Date.now();
      receipts.push(now);
      return now;
    },
  });
  receipts.length = 0;
  return { sandbox, receipts };
}

function startShard(baseUrl: string, redisUrl: string, usersFile: string, results: string, shard: string | undefined): Run {
  const child = spawn(
    process.execPath,
    [
      join(dist, 'src/cli/main.js'),
      'delete-group',
      '--group',
      'work',
      '--users-file',
      usersFile,
      '--results',
      results,
      '--max-attempts',
      '1',
      '--concurrency',
      '16',
      ...(shard === undefined ? [] : ['--shard', shard]),
    ],
    {
      env: {
        PATH: process.env['PATH'] ?? '',
        TENCENT_CHAT_SDKAPPID: String(SDK_APP_ID),
        TENCENT_CHAT_ADMIN: 'administrator',
        TENCENT_CHAT_SECRET_KEY: sandboxModule.DEVELOPMENT_SECRET_KEY,
        TENCENT_CHAT_BASE_URL: baseUrl,
        TENCENT_CHAT_REDIS_URL: redisUrl,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

/** The lines of a results file; none when the run was killed before it wrote one (a slow start on a busy machine). */
function linesOf(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Line];
      } catch {
        return [];
      }
    });
}

/** Calls per second the sandbox received over the middle 90 % of them (start-up and the last window left out). */
function middleRate(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const from = Math.floor(sorted.length * 0.05);
  const to = Math.ceil(sorted.length * 0.95) - 1;
  const span = ((sorted[to] as number) - (sorted[from] as number)) / 1000;
  return span > 0 ? (to - from) / span : 0;
}

interface Tally {
  readonly results: Line[];
  readonly rateLimited: number;
  readonly everyUserOnce: boolean;
}

function tally(files: readonly string[], list: readonly string[]): Tally {
  const results = files.flatMap((file) => linesOf(file).filter((line) => line.type === 'result'));
  const seen = new Map<string, number>();
  for (const line of results) seen.set(line.user as string, (seen.get(line.user as string) ?? 0) + 1);
  return {
    results,
    rateLimited: results.filter((line) => line.code === 60007).length,
    everyUserOnce: seen.size === list.length && [...seen.values()].every((count) => count === 1),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Fleet {
  readonly runs: Run[];
  readonly redis: RedisServer;
  readonly files: string[];
  readonly sandboxUrl: string;
  readonly usersFile: string;
}

async function fleetRun(name: string, shards: number, during?: (fleet: Fleet) => Promise<void>) {
  const list = users(name, USERS);
  const { sandbox, receipts } = await sandboxFor(list);
  const redis = await startRedisServer();
  const usersFile = join(work, `${name}.txt`);
  await writeFile(usersFile, `${list.join('\n')}\n`);
  const files = Array.from({ length: shards }, (_, index) => join(work, `${name}-${index + 1}.ndjson`));
  const started = performance.now();
  const runs = files.map((file, index) => startShard(sandbox.url, redis.url, usersFile, file, shards === 1 ? undefined : `${index + 1}/${shards}`));
  await during?.({ runs, redis, files, sandboxUrl: sandbox.url, usersFile });
  const ended = await Promise.all(runs.map((run) => run.done));
  const seconds = (performance.now() - started) / 1000;
  await Promise.all([sandbox.close(), redis.stop()]);
  return { list, receipts: [...receipts], files, ended, seconds, usersFile, sandboxUrl: sandbox.url };
}

const rows: string[] = [];
/** Each row as soon as it is measured, on stderr: a run takes minutes. */
const row = (line: string): void => {
  rows.push(line);
  process.stderr.write(`${line}\n`);
};
const fmt = (value: number, digits = 1): string => value.toFixed(digits);

// 1. Four shards at once.
{
  const run = await fleetRun('even', SHARDS);
  const counts = tally(run.files, run.list);
  row(
    `| ${SHARDS} shards of ${USERS} users, one app | ${fmt(run.receipts.length / run.seconds)}/s overall, ${fmt(middleRate(run.receipts))}/s middle 90 % (${fmt((100 * middleRate(run.receipts)) / LIMIT)} %) | ${counts.rateLimited} | ${mostInAnyWindow(run.receipts)} | every user once: ${counts.everyUserOnce ? 'yes' : 'NO'} |`,
  );
}

// 2. Shard 1 SIGKILLed after 3 s, resumed at once.
{
  let resumedRateLimited = 0;
  const run = await fleetRun('killed', SHARDS, async ({ runs, redis, files, sandboxUrl, usersFile }) => {
    await sleep(3000);
    runs[0]?.child.kill('SIGKILL');
    await runs[0]?.done;
    const before = linesOf(files[0] as string).filter((line) => line.type === 'result').length;
    // The resume replaces the killed process at once, as a supervisor would; it shares the same Redis.
    const resumed = startShard(sandboxUrl, redis.url, usersFile, files[0] as string, `1/${SHARDS}`);
    await resumed.done;
    resumedRateLimited = linesOf(files[0] as string)
      .filter((line) => line.type === 'result')
      .slice(before)
      .filter((line) => line.code === 60007).length;
  });
  const counts = tally(run.files, run.list);
  row(
    `| same, shard 1 SIGKILLed at 3 s and resumed | ${fmt(middleRate(run.receipts))}/s middle 90 % | ${counts.rateLimited} (${resumedRateLimited} on resume) | ${mostInAnyWindow(run.receipts)} | every user has a result: ${new Set(counts.results.map((line) => line.user)).size === run.list.length ? 'yes' : 'NO'} |`,
  );
}

// 3. Redis SIGKILLed after 3 s, restarted empty 3 s later.
{
  const run = await fleetRun('redis-restart', SHARDS, async ({ redis }) => {
    await sleep(3000);
    await redis.kill();
    await sleep(3000);
    await redis.restart();
  });
  const counts = tally(run.files, run.list);
  const switches = run.ended.map((ended) => (ended.stderr.match(/rate limit: /g) ?? []).length);
  row(
    `| same, Redis SIGKILLed at 3 s, restarted empty at 6 s | ${fmt(run.receipts.length / run.seconds)}/s overall | ${counts.rateLimited} | ${mostInAnyWindow(run.receipts)} | all finished: ${run.ended.every((ended) => ended.code === 0) ? 'yes' : 'NO'}; switches reported per run: ${switches.join(', ')} |`,
  );
}

// 4. One process alone with the Redis store.
{
  const run = await fleetRun('alone', 1);
  const counts = tally(run.files, run.list);
  row(
    `| 1 process, ${USERS} users, Redis store | ${fmt(middleRate(run.receipts))}/s middle 90 % (${fmt((100 * middleRate(run.receipts)) / LIMIT)} % of the quota) | ${counts.rateLimited} | ${mostInAnyWindow(run.receipts)} | every user once: ${counts.everyUserOnce ? 'yes' : 'NO'} |`,
  );
}

await rm(work, { recursive: true, force: true });
await rm(dist, { recursive: true, force: true });

const report = [
  `## Fleet: one app's quota (${LIMIT}/s) shared through Redis`,
  '',
  `\`npx tsx scripts/bench/bench-fleet.ts --users ${USERS}\` (delete-group, --concurrency 16, --max-attempts 1; the sandbox as referee)`,
  '',
  '| scenario | calls the sandbox received | 60007 answers | most calls in any 1 s window | users |',
  '|---|---|---|---|---|',
  ...rows,
  '',
].join('\n');
await publishReport(report, { out: values.out, writeDocs: values['write-docs'], section: { file: 'docs/fleet.md', name: 'bench:fleet' } });
