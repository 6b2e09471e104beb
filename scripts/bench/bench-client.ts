/**
 * Client overhead: calls per second of the typed client against an in-process stub fetch, beside bare openapi-fetch
 * sending the same signed request to the same stub, in one run. The stub answers at once, so the figures measure
 * the clients alone: body checks, signing (the cached UserSig, a fresh random), the gate, the timeout and reading
 * the answer, against openapi-fetch building and parsing the same request. The rate limiter is off (it would cap
 * the run at 200 calls/s); retries never happen because every answer is a success.
 *
 * The client is measured as it ships: compiled to JavaScript (TypeScript's transpiler into .tmp/), like openapi-fetch,
 * which comes compiled. Run through tsx instead, every function our sources create gets a name-keeping wrapper
 * (esbuild's keepNames), which bare openapi-fetch never pays; that figure is printed too, for reference.
 *
 * Rates are calls per CPU second of this process (user + system), which a busy machine disturbs far less than wall
 * time; the two clients alternate in short rounds and the ratio is the median of the per-round ratios.
 *
 *   npx tsx scripts/bench/bench-client.ts [--rounds N] [--calls N] [--out FILE] [--write-docs]
 *
 * Target: the typed client (as shipped) reaches at least 0.8 of bare openapi-fetch.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import createClient from 'openapi-fetch';
import ts from 'typescript';
import { operations } from '../../generated/operations.js';
import type { paths } from '../../generated/types.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import { randomUint32 } from '../../src/client/signing.js';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { REPO_ROOT } from '../repo-root.js';
import { median, publishReport, reportOptions } from './bench-support.js';

const TARGET = 0.8;
const SDK_APP_ID = 1400000000;
const IDENTIFIER = 'administrator';
// The placeholder key of the vendor's own signing-library tests; nothing is sent anywhere.
const SECRET_KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const BASE_URL = 'https://bench.invalid';
const PATH = operations.delContactGroup.path;
const BODY = { From_Account: 'user_0001', GroupName: ['group_0001'] as [string] };
const ANSWER = JSON.stringify({ GroupItem: [{ GroupName: 'group_0001', GroupId: 1 }], ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' });
const BUILD_DIR = join(REPO_ROOT, '.tmp', 'bench-client-build');

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '30' }, calls: { type: 'string', default: '2000' }, ...reportOptions },
});
const rounds = Number(values.rounds);
const callsPerRound = Number(values.calls);

type Call = () => Promise<void>;

/** src/ and generated/ compiled file by file to JavaScript, as `tsc` emits them for the package. */
async function compiledClientModule(): Promise<{ createChatGroupsClient: typeof createChatGroupsClient }> {
  await rm(BUILD_DIR, { recursive: true, force: true });
  const walk = async (folder: string): Promise<string[]> => {
    const entries = await readdir(folder, { withFileTypes: true });
    const nested = await Promise.all(
      entries.map((entry) => (entry.isDirectory() ? walk(join(folder, entry.name)) : Promise.resolve([join(folder, entry.name)]))),
    );
    return nested.flat().filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'));
  };
  const sources = [...(await walk(join(REPO_ROOT, 'src'))), ...(await walk(join(REPO_ROOT, 'generated')))];
  const options: ts.CompilerOptions = { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true };
  for (const source of sources) {
    const output = ts.transpileModule(await readFile(source, 'utf8'), { compilerOptions: options, fileName: source });
    const target = join(BUILD_DIR, relative(REPO_ROOT, source)).replace(/\.ts$/, '.js');
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, output.outputText);
  }
  return (await import(pathToFileURL(join(BUILD_DIR, 'src', 'client', 'client.js')).href)) as { createChatGroupsClient: typeof createChatGroupsClient };
}

const stubFetch = (async () =>
  new Response(ANSWER, { status: 200, headers: { 'content-type': 'application/json' } })) as unknown as typeof fetch;

function typedCall(create: typeof createChatGroupsClient): Call {
  const client = create({ sdkAppId: SDK_APP_ID, identifier: IDENTIFIER, secretKey: SECRET_KEY, baseUrl: BASE_URL, fetch: stubFetch, rateLimit: 'off' });
  return async () => {
    const result = await client.delContactGroup(BODY);
    if (!result.ok) throw new Error(`typed client failed: ${result.error.message}`);
  };
}

// Bare openapi-fetch gets a UserSig made once, as a hand-written caller would; only `random` changes per call.
const bare = createClient<paths>({ baseUrl: BASE_URL, fetch: stubFetch });
const userSig = generateUserSig({ secretKey: SECRET_KEY, sdkAppId: SDK_APP_ID, identifier: IDENTIFIER, expireSeconds: 86_400 });
const bareCall: Call = async () => {
  const { data } = await bare.POST(PATH, {
    body: BODY,
    params: { query: { sdkappid: SDK_APP_ID, identifier: IDENTIFIER, usersig: userSig, random: randomUint32(), contenttype: 'json' } } as never,
  });
  if ((data as { ErrorCode?: number } | undefined)?.ErrorCode !== 0) throw new Error('bare openapi-fetch failed');
};

/** Calls per CPU second of `count` calls with `concurrency` in flight. */
async function measure(call: Call, count: number, concurrency: number): Promise<number> {
  let left = count;
  const worker = async (): Promise<void> => {
    while (left > 0) {
      left -= 1;
      await call();
    }
  };
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(before);
  return count / ((used.user + used.system) / 1e6);
}

interface Row {
  readonly build: string;
  readonly concurrency: number;
  readonly ours: number;
  readonly bare: number;
  readonly ratio: number;
}

async function compare(build: string, ours: Call, concurrency: number): Promise<Row> {
  for (let round = 0; round < 3; round += 1) {
    // Warm-up, not counted: JIT and the first allocations.
    await measure(ours, callsPerRound, concurrency);
    await measure(bareCall, callsPerRound, concurrency);
  }
  const oursRates: number[] = [];
  const bareRates: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const first = round % 2 === 0;
    const a = first ? await measure(ours, callsPerRound, concurrency) : 0;
    const b = await measure(bareCall, callsPerRound, concurrency);
    const oursRate = first ? a : await measure(ours, callsPerRound, concurrency);
    oursRates.push(oursRate);
    bareRates.push(b);
    ratios.push(oursRate / b);
  }
  return { build, concurrency, ours: median(oursRates), bare: median(bareRates), ratio: median(ratios) };
}

const shipped = typedCall((await compiledClientModule()).createChatGroupsClient);
const underTsx = typedCall(createChatGroupsClient);
const rows = [
  await compare('compiled (as shipped)', shipped, 1),
  await compare('compiled (as shipped)', shipped, 64),
  await compare('tsx (keepNames wrappers)', underTsx, 1),
  await compare('tsx (keepNames wrappers)', underTsx, 64),
];
await rm(BUILD_DIR, { recursive: true, force: true });

const format = (value: number): string => Math.round(value).toLocaleString('en-US');
const report = [
  `Client overhead: ${rounds} alternating rounds of ${callsPerRound.toLocaleString('en-US')} calls, calls per CPU second, medians (Node ${process.version})`,
  '',
  '| typed client build | in flight | typed client | bare openapi-fetch | ratio | target ≥ 0.8 |',
  '|---|---:|---:|---:|---:|---|',
  ...rows.map((row) => {
    const verdict = row.build.startsWith('compiled') ? (row.ratio >= TARGET ? 'met' : 'MISSED') : '(reference)';
    return `| ${row.build} | ${row.concurrency} | ${format(row.ours)} | ${format(row.bare)} | ${row.ratio.toFixed(2)} | ${verdict} |`;
  }),
];
await publishReport(report.join('\n'), { out: values.out, writeDocs: values['write-docs'], section: { file: 'docs/benchmarks.md', name: 'bench:client' } });
