/**
 * One-run throughput comparison on the same request mix:
 *   - a bare node:http server answering a fixed body (the ceiling of any node:http service on this machine),
 *   - the sandbox alone,
 *   - the sandbox behind Prism's validating proxy,
 *   - Prism's static mock.
 * at 1 and 16 concurrent keep-alive connections: requests per second, p50 and p99 latency. Each server runs in a
 * child process, from a tsc build of the package made for the run, so the load loop here does not share its event
 * loop. Targets take turns in short slices and the ratios compare slices of the same round, because this machine is
 * shared and its speed drifts. Loopback only; every phase is bounded in count and time (about 40 s in all).
 *
 *   npx tsx scripts/bench/bench-sandbox.ts [--rounds N] [--slice SECONDS] [--out FILE] [--write-docs]
 *
 * Targets: the sandbox alone reaches ≥ 0.8 × the bare server and ≥ 2.5 × Prism's mock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { operations } from '../../generated/operations.js';
import { DEVELOPMENT_SECRET_KEY } from '../../src/sandbox/index.js';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { buildPackageForBench, median, publishReport, reportOptions } from './bench-support.js';
import { startPrism } from '../dev/prism.js';

const SDK_APP_ID = 1400000000;
const ADMIN = 'administrator';
const USERS = 20_000;
const GROUPS_PER_USER = 3;
const CONCURRENCIES = [1, 16] as const;
const WARMUP_REQUESTS = 300;
const MAX_REQUESTS_PER_SLICE = 10_000;
const TARGET_VS_BARE = 0.8;
const TARGET_VS_PRISM_MOCK = 2.5;
const PATH = operations.delContactGroup.path;

// ---------------------------------------------------------------------------------------------------------------
// Child-process servers, run from a tsc build as the CLI ships (tsx's on-the-fly transform names every closure it
// creates, which costs the validator a few microseconds per call that the built package does not pay).

async function buildPackage(): Promise<string> {
  const outDir = await buildPackageForBench('bench-sandbox-', 'src/sandbox/index.js');
  await writeFile(join(outDir, 'bench-server.mjs'), SERVER_PROGRAM);
  return outDir;
}

/**
 * The child program: `bare` answers a fixed body shaped like a success (so both send as many bytes) after reading
 * the request body, as any correct server must, and nothing else; `sandbox` is the built sandbox on a generated
 * data set large enough that no group is deleted twice during the run.
 */
const SERVER_PROGRAM = `
import { createServer } from 'node:http';
import { startSandbox } from './src/sandbox/index.js';
const [kind, users, groupsPerUser] = process.argv.slice(2);
let url;
if (kind === 'bare') {
  const body = JSON.stringify({ GroupItem: [{ GroupName: 'g0', GroupId: 1 }], ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = 'http://127.0.0.1:' + server.address().port;
} else {
  const groups = Object.fromEntries(Array.from({ length: Number(groupsPerUser) }, (_, i) => ['g' + i, [{ Type: 1, To_Account: '${ADMIN}' }]]));
  const fixture = { sdkAppId: ${SDK_APP_ID}, admins: ['${ADMIN}'], edition: 'ultimate', users: Object.fromEntries(Array.from({ length: Number(users) }, (_, i) => ['u' + i, { groups }])) };
  url = (await startSandbox({ fixture, rateLimit: 'off' })).url;
}
process.on('SIGTERM', () => process.exit(0));
process.stdout.write('LISTENING ' + url + '\\n');
`;

interface ChildServer {
  readonly url: string;
  stop(): Promise<void>;
}

function startChild(buildDir: string, kind: 'bare' | 'sandbox'): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, [join(buildDir, 'bench-server.mjs'), kind, String(USERS), String(GROUPS_PER_USER)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      const match = /LISTENING (\S+)/.exec(output);
      if (match?.[1] !== undefined) {
        resolve({
          url: match[1],
          stop: () =>
            new Promise<void>((done) => {
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited (${code}) before listening`)));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The request mix: 80% deletes of groups that exist (each pair used once), 10% 51009, 10% 50002.

const userSig = generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: ADMIN, expireSeconds: 3600 });
const queryPrefix = `${PATH}?sdkappid=${SDK_APP_ID}&identifier=${ADMIN}&usersig=${userSig}&contenttype=json&random=`;

function requestFor(index: number): { path: string; body: string } {
  const slot = index % 10;
  let body: { From_Account: string; GroupName: string[] };
  if (slot < 8) {
    const fresh = Math.floor(index / 10) * 8 + slot;
    body = { From_Account: `u${fresh % USERS}`, GroupName: [`g${Math.floor(fresh / USERS) % GROUPS_PER_USER}`] };
  } else if (slot === 8) {
    body = { From_Account: `u${index % USERS}`, GroupName: ['no-such-group'] };
  } else {
    body = { From_Account: `u${index % USERS}`, GroupName: ['g0', 'g1'] };
  }
  return { path: `${queryPrefix}${index % 4_294_967_296}`, body: JSON.stringify(body) };
}

// ---------------------------------------------------------------------------------------------------------------
// Load loop

function send(agent: Agent, base: URL, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** One target at one concurrency: its connections, where it is in the request mix, and what was measured. */
class Measurement {
  readonly latencies: number[] = [];
  readonly outcomes = new Map<string, number>();
  /** Requests per second of each measured slice, in round order. */
  readonly sliceRates: number[] = [];
  seconds = 0;
  readonly #agent: Agent;
  readonly #base: URL;
  readonly #concurrency: number;
  #next: number;

  constructor(url: string, concurrency: number, firstIndex: number) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    this.#base = new URL(url);
    this.#concurrency = concurrency;
    this.#next = firstIndex;
  }

  get nextIndex(): number {
    return this.#next;
  }

  /** Sends for `seconds` (at most `maxRequests`) on every connection; records only when `record` is set. */
  async run(seconds: number, maxRequests: number, record: boolean): Promise<void> {
    let budget = maxRequests;
    let done = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const worker = async (): Promise<void> => {
      while (budget > 0 && performance.now() < deadline) {
        budget--;
        const { path, body } = requestFor(this.#next++);
        const sent = performance.now();
        const answer = await send(this.#agent, this.#base, path, body);
        if (!record) continue;
        this.latencies.push(performance.now() - sent);
        const outcome = answer.status === 200 ? String((JSON.parse(answer.text) as { ErrorCode?: unknown }).ErrorCode) : `HTTP ${answer.status}`;
        this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
        done++;
      }
    };
    await Promise.all(Array.from({ length: this.#concurrency }, worker));
    if (!record) return;
    const elapsed = (performance.now() - started) / 1000;
    this.seconds += elapsed;
    this.sliceRates.push(done / elapsed);
  }

  close(): void {
    this.#agent.destroy();
  }

  summary(): { perSecond: number; p50: number; p99: number; requests: number } {
    const sorted = Float64Array.from(this.latencies).sort();
    const quantile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
    return { perSecond: sorted.length / this.seconds, p50: quantile(0.5), p99: quantile(0.99), requests: sorted.length };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Orchestration

const BARE = 'bare node:http (fixed body)';
const SANDBOX = 'sandbox alone';
const PROXIED = 'sandbox behind Prism proxy';
const MOCK = 'Prism static mock';
type TargetName = typeof BARE | typeof SANDBOX | typeof PROXIED | typeof MOCK;

interface RunningTarget {
  readonly name: TargetName;
  readonly url: string;
  stop(): Promise<void>;
}

async function startTargets(buildDir: string): Promise<RunningTarget[]> {
  const [bare, sandbox, proxiedSandbox, mock] = await Promise.all([
    startChild(buildDir, 'bare'),
    startChild(buildDir, 'sandbox'),
    startChild(buildDir, 'sandbox'),
    startPrism({ mode: 'mock' }),
  ]);
  const proxy = await startPrism({ mode: 'proxy', upstream: proxiedSandbox.url });
  return [
    { name: BARE, url: bare.url, stop: () => bare.stop() },
    { name: SANDBOX, url: sandbox.url, stop: () => sandbox.stop() },
    { name: PROXIED, url: proxy.url, stop: async () => void (await proxy.stop(), await proxiedSandbox.stop()) },
    { name: MOCK, url: mock.url, stop: () => mock.stop() },
  ];
}

/** Ratios of slices measured back to back in the same round, so load from elsewhere on the machine mostly cancels. */
function pairedRatio(numerator: Measurement, denominator: Measurement): number {
  return median(numerator.sliceRates.map((rate, round) => rate / (denominator.sliceRates[round] ?? Number.NaN)));
}

function describeOutcomes(outcomes: ReadonlyMap<string, number>, total: number): string {
  return [...outcomes]
    .sort((a, b) => b[1] - a[1])
    .map(([outcome, count]) => `${outcome} ${Math.round((count / total) * 100)}%`)
    .join(', ');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rounds: { type: 'string' }, slice: { type: 'string' }, ...reportOptions } });
  const rounds = Number(values.rounds ?? '5');
  const sliceSeconds = Number(values.slice ?? '0.6');
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 10)) throw new Error('--rounds must be an integer from 1 to 10');
  if (!(sliceSeconds > 0 && sliceSeconds <= 2)) throw new Error('--slice must be a number of seconds above 0 and at most 2');

  const runStarted = performance.now();
  const buildDir = await buildPackage();
  const targets = await startTargets(buildDir);
  const measurements = new Map<number, Map<TargetName, Measurement>>();
  // Each server keeps its state across connection counts, so each target continues where it left off in the mix.
  const nextIndex = new Map<TargetName, number>();
  try {
    for (const concurrency of CONCURRENCIES) {
      const byTarget = new Map<TargetName, Measurement>();
      for (const target of targets) {
        const measurement = new Measurement(target.url, concurrency, nextIndex.get(target.name) ?? 0);
        await measurement.run(5, WARMUP_REQUESTS, false);
        byTarget.set(target.name, measurement);
      }
      // Targets take turns within each round, so a burst of outside load hits one round of all of them alike.
      for (let round = 0; round < rounds; round++) {
        for (const target of targets) await byTarget.get(target.name)?.run(sliceSeconds, MAX_REQUESTS_PER_SLICE, true);
      }
      for (const [name, measurement] of byTarget) {
        measurement.close();
        nextIndex.set(name, measurement.nextIndex);
      }
      measurements.set(concurrency, byTarget);
      process.stderr.write(`measured ${concurrency} connection(s)\n`);
    }
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
    await rm(buildDir, { recursive: true, force: true });
  }

  const lines = [
    `Sandbox benchmark: Node ${process.version}, ${availableParallelism()} CPU (${cpus()[0]?.model ?? 'unknown'}), load loop and servers on the same machine, loopback.`,
    'Request mix: 80% deletes of existing groups (each used once), 10% unknown group (51009), 10% two group names (50002);',
    'one reused UserSig; rate limit off. Servers run in child processes from a tsc build; the load loop uses keep-alive node:http agents.',
    `Per connection count: ${WARMUP_REQUESTS} warm-up requests per target, then ${rounds} rounds in which each target gets a`,
    `${sliceSeconds} s slice in turn (at most ${MAX_REQUESTS_PER_SLICE} requests). req/s is over all slices; ratios are medians of same-round ratios.`,
    '',
    '| target | connections | req/s | p50 ms | p99 ms | requests | outcomes |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const [concurrency, byTarget] of measurements) {
    for (const [name, measurement] of byTarget) {
      const result = measurement.summary();
      lines.push(
        `| ${name} | ${concurrency} | ${Math.round(result.perSecond)} | ${result.p50.toFixed(2)} | ${result.p99.toFixed(2)} | ${result.requests} | ${describeOutcomes(measurement.outcomes, result.requests)} |`,
      );
    }
  }
  lines.push('');
  for (const [concurrency, byTarget] of measurements) {
    const sandbox = byTarget.get(SANDBOX) as Measurement;
    const vsBare = pairedRatio(sandbox, byTarget.get(BARE) as Measurement);
    const vsMock = pairedRatio(sandbox, byTarget.get(MOCK) as Measurement);
    lines.push(
      `- ${concurrency} connection${concurrency === 1 ? '' : 's'}: sandbox / bare = ${vsBare.toFixed(2)} (target ≥ ${TARGET_VS_BARE}: ${vsBare >= TARGET_VS_BARE ? 'met' : 'MISSED'}); ` +
        `sandbox / Prism mock = ${vsMock.toFixed(1)}× (target ≥ ${TARGET_VS_PRISM_MOCK}×: ${vsMock >= TARGET_VS_PRISM_MOCK ? 'met' : 'MISSED'})`,
    );
  }
  lines.push('', `Total run time: ${((performance.now() - runStarted) / 1000).toFixed(1)} s.`, '');
  await publishReport(lines.join('\n'), { out: values.out, writeDocs: values['write-docs'], section: { file: 'docs/benchmarks.md', name: 'bench:sandbox' } });
}

await main();
