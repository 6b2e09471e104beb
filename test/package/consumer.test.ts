/**
 * The package as another team gets it: packed, installed from the tarball into an empty project that cannot see this
 * repository, type-checked with the README's own code, and run against the sandbox started from the installed bin,
 * on each Node major that `engines` promises.
 *
 * Node 20 is the machine's; 22 and 24 come from the registry's `node` package (`npx node@22`), resolved once to the
 * binary it installs so that every process below runs on it directly. Nothing is skipped: a Node version or a
 * registry that cannot be reached fails the test, with the command's output.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrism, type PrismServer } from '../../scripts/dev/prism.js';
import { setUpOrFail } from '../support/setup.js';
import { outsideEnv, packOnce, REPO_ROOT, type PackedPackage } from '../support/pack.js';

const run = promisify(execFile);

/** The versions the consumer project installs next to the package: the ones this repository builds with. */
const CONSUMER_DEV_DEPENDENCIES = ['typescript@5.9.3', '@types/node@20.19.43'];
/** The newest TypeScript (the native compiler), in a project of its own set up the way `tsc --init` sets it up. */
const NEWEST_TYPESCRIPT = ['typescript@latest', '@types/node@20.19.43'];
/** The Node majors run besides the machine's own, through the registry's `node` package. */
const EXTRA_NODE_MAJORS = ['22', '24'] as const;
const PACKAGE = 'tencent-chat-groups';

const CHECKED_BLOCK =
  /<!-- This block is type-checked( and run)?, as written, against the packed package by [^>]*-->\s*```ts\n([\s\S]*?)```/g;

interface ReadmeBlock {
  readonly file: string;
  readonly code: string;
  readonly run: boolean;
}

/** The documents whose code blocks consumers copy: the README's first example, the client guide's and the contract-testing guide's. */
const CONSUMER_DOCS = ['README.md', 'docs/client.md', 'docs/contract-testing.md'] as const;

async function readConsumerDocs(): Promise<{ path: string; text: string }> {
  const texts = await Promise.all(CONSUMER_DOCS.map((path) => readFile(join(REPO_ROOT, path), 'utf8')));
  return { path: CONSUMER_DOCS.join(' and '), text: texts.join('\n') };
}

function checkedBlocks(text: string): ReadmeBlock[] {
  return [...text.matchAll(CHECKED_BLOCK)].map((match, index) => ({
    file: `readme-${index + 1}.ts`,
    code: match[2] ?? '',
    run: match[1] !== undefined,
  }));
}

/** Strict settings, and `skipLibCheck: false`, so the shipped declarations are checked too. */
const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    resolveJsonModule: true,
    skipLibCheck: false,
    rootDir: '.',
    outDir: 'out',
  },
  include: ['*.ts'],
};

/** Every runtime export, used the plain-JavaScript way against a sandbox whose URL is in SANDBOX_URL. */
const CALL_SANDBOX = `
import { ApiError, createChatGroupsClient, specVersion } from '${PACKAGE}';
import { errorCodes, operationErrorCodes } from '${PACKAGE}/errors';
import { DEVELOPMENT_SECRET_KEY } from '${PACKAGE}/sandbox';
import openapi from '${PACKAGE}/openapi.json' with { type: 'json' };
import manifest from '${PACKAGE}/package.json' with { type: 'json' };

const chat = createChatGroupsClient({
  sdkAppId: 1400000000,
  identifier: 'administrator',
  secretKey: DEVELOPMENT_SECRET_KEY,
  baseUrl: process.env.SANDBOX_URL,
});
const body = { From_Account: 'alice', GroupName: ['work'] };
const first = await chat.delContactGroup(body);
const again = await chat.delContactGroup(body);
let typesAtRuntime;
try {
  await import('${PACKAGE}/types');
  typesAtRuntime = 'loaded';
} catch (error) {
  typesAtRuntime = error.code;
}
console.log(JSON.stringify({
  node: process.version,
  versions: { specVersion, package: manifest.version, document: openapi.info.version },
  first: first.ok ? { ok: true, data: first.data } : { ok: false, error: String(first.error) },
  again: again.ok ? { ok: true } : { ok: false, isApiError: again.error instanceof ApiError, code: again.error.code, retryable: again.error.retryable },
  table: { code51009: errorCodes[51009], ownCodes: operationErrorCodes.delContactGroup },
  typesAtRuntime,
}));
`;

/** One call to a Prism mock, asking for a named example with the Prefer header the README shows. */
const CALL_MOCK = `
import { createChatGroupsClient } from '${PACKAGE}';
const chat = createChatGroupsClient({ sdkAppId: 1400000000, identifier: 'administrator', secretKey: 'any', baseUrl: process.env.MOCK_URL });
const body = { From_Account: 'user_0001', GroupName: ['group_0001'] };
const success = await chat.delContactGroup(body);
const failure = await chat.delContactGroup(body, { headers: { Prefer: 'example=error-51009' } });
console.log(JSON.stringify({ success: success.ok, failure: failure.ok ? 'ok' : failure.error.code }));
`;

function describeFailure(command: string, error: unknown): Error {
  const failure = error as { stdout?: string; stderr?: string; message?: string };
  return new Error(`${command} failed:\n${failure.stdout ?? ''}\n${failure.stderr ?? ''}\n${failure.message ?? ''}`.trim());
}

/** The binary `npx node@<major>` runs, so later processes can start it without going through npx each time. */
async function nodeBinary(major: string, cwd: string): Promise<{ path: string; version: string }> {
  const command = `npx --yes node@${major}`;
  try {
    const { stdout } = await run('npx', ['--yes', `node@${major}`, '-p', 'JSON.stringify([process.execPath, process.version])'], {
      cwd,
      env: outsideEnv(),
      timeout: 150_000,
    });
    const [path, version] = JSON.parse(stdout.trim().split('\n').pop() ?? '') as [string, string];
    return { path, version };
  } catch (error) {
    throw describeFailure(`${command} (the registry's node package provides Node ${major} on a machine that has only Node 20)`, error);
  }
}

interface SandboxProcess {
  readonly url: string;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** `chat-groups sandbox --port 0` from the installed package; resolves with the URL it prints. */
function startInstalledSandbox(node: string, cwd: string): Promise<SandboxProcess> {
  const child = spawn(node, ['node_modules/.bin/chat-groups', 'sandbox', '--port', '0'], {
    cwd,
    env: outsideEnv({ TENCENT_CHAT_SECRET_KEY: '' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    children.delete(child);
  };
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearInterval(poll);
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`\`chat-groups sandbox\` from the installed package ${why}; it printed:\n${output}`)));
    };
    const poll = setInterval(() => {
      const url = /Sandbox listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url === undefined) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ url, stop });
    }, 20);
    const timer = setTimeout(() => fail('did not print its URL within 20 s'), 20_000);
    child.once('exit', (code) => fail(`exited (code ${code}) before listening`));
  });
}

async function runScript(node: string, script: string, cwd: string, env: Record<string, string>): Promise<string> {
  try {
    const { stdout } = await run(node, [script], { cwd, env: outsideEnv(env), timeout: 30_000 });
    return stdout;
  } catch (error) {
    throw describeFailure(`${node} ${script}`, error);
  }
}

/** Each `^major.minor.patch` alternative of a simple `engines.node` range. */
function engineRanges(range: string): { major: number; floor: [number, number, number] }[] {
  return range.split('||').map((part) => {
    const match = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(part);
    if (!match) throw new Error(`engines.node alternative "${part.trim()}" is not of the form ^major.minor.patch`);
    const floor = [Number(match[1]), Number(match[2]), Number(match[3])] as [number, number, number];
    return { major: floor[0], floor };
  });
}

function satisfies(version: string, range: string): boolean {
  const [major, minor, patch] = version.replace(/^v/, '').split('.').map(Number) as [number, number, number];
  return engineRanges(range).some(({ floor }) => major === floor[0] && (minor > floor[1] || (minor === floor[1] && patch >= floor[2])));
}

/** A promise that is awaited later (by a test): its rejection is not unhandled meanwhile. */
function startedNow<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

async function install(cwd: string, packages: readonly string[]): Promise<void> {
  try {
    await run('npm', ['install', '--no-audit', '--no-fund', ...packages], { cwd, env: outsideEnv(), timeout: 150_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    throw describeFailure(`npm install ${packages.join(' ')} in ${cwd}`, error);
  }
}

// The tests run side by side once the package is installed: each starts its own processes, and on two cores the
// file's time is otherwise the sum of many waits on npm, tsc and Node.
describe.concurrent('the packed package, installed into an empty project', () => {
  let packed: PackedPackage | undefined;
  let project = '';
  /** The project of the newest TypeScript, installed beside the main one. */
  let newestTypeScript: Promise<string>;
  /** tsc over the README blocks in the main project: they are type-checked by one test and run by others. */
  let compiled: Promise<void>;
  let blocks: ReadmeBlock[] = [];
  let docsPath = '';
  let docsText = '';
  const nodes = new Map<string, Promise<{ path: string; version: string }>>();
  const timings: Record<string, number> = {};

  const ready = setUpOrFail(async () => {
    const started = performance.now();
    ({ path: docsPath, text: docsText } = await readConsumerDocs());
    blocks = checkedBlocks(docsText);
    project = await mkdtemp(join(tmpdir(), 'chat-groups-consumer-'));
    // Started now, awaited by each test: the download (first use only) overlaps the pack and the install.
    for (const major of EXTRA_NODE_MAJORS) {
      const binary = nodeBinary(major, project);
      binary.catch(() => undefined);
      nodes.set(major, binary);
    }
    packed = await packOnce();
    const tarball = packed.tarball;
    timings['pack'] = packed.milliseconds;
    await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2)}\n`);
    const fresh = join(project, 'newest-typescript');
    await mkdir(fresh);
    await writeFile(join(fresh, 'package.json'), `${JSON.stringify({ name: 'consumer-newest-ts', private: true, type: 'module' }, null, 2)}\n`);
    newestTypeScript = startedNow(install(fresh, [tarball, ...NEWEST_TYPESCRIPT]).then(() => fresh));
    const installStarted = performance.now();
    await install(project, [tarball, ...CONSUMER_DEV_DEPENDENCIES]);
    timings['install'] = performance.now() - installStarted;
    await writeFile(join(project, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
    for (const block of blocks) await writeFile(join(project, block.file), block.code);
    await writeFile(join(project, 'call-sandbox.mjs'), CALL_SANDBOX);
    await writeFile(join(project, 'call-mock.mjs'), CALL_MOCK);
    const tscStarted = performance.now();
    compiled = startedNow(
      run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: project, env: outsideEnv(), timeout: 80_000 }).then(
        () => void (timings['tsc'] = performance.now() - tscStarted),
        (error: unknown) => {
          const failure = error as { stdout?: string };
          throw new Error(`tsc in the consumer project found errors in ${docsPath}'s blocks or in the shipped .d.ts files:\n${failure.stdout ?? String(error)}`);
        },
      ),
    );
    timings['setup'] = performance.now() - started;
  }, 240_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    console.log(`package consumer timings (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
    if (project !== '') await rm(project, { recursive: true, force: true });
  });

  it('has README blocks that import every export the way a consumer would', () => {
    ready();
    expect(blocks.length, `${docsPath} has no block marked as type-checked`).toBeGreaterThanOrEqual(1);
    const code = blocks.map((block) => block.code).join('\n');
    expect(code).toContain(`from '${PACKAGE}';`);
    expect(code).toMatch(new RegExp(`import type \\{[^}]+\\} from '${PACKAGE}/types';`));
    expect(code).toContain(`from '${PACKAGE}/errors';`);
    expect(code).toContain(`from '${PACKAGE}/openapi.json' with { type: 'json' };`);
    expect(code).toContain(`from '${PACKAGE}/sandbox';`);
  });

  it('type-checks the README blocks against the installed declarations (strict, skipLibCheck off)', { timeout: 90_000 }, async () => {
    ready();
    await compiled;
  });

  it('type-checks the README example on the newest TypeScript with a plain `tsc --init` configuration plus "types": ["node"]', { timeout: 180_000 }, async () => {
    ready();
    const started = performance.now();
    const fresh = await newestTypeScript;
    const tsc = join(fresh, 'node_modules/.bin/tsc');
    const { stdout: version } = await run(tsc, ['--version'], { cwd: fresh, env: outsideEnv() });
    await run(tsc, ['--init'], { cwd: fresh, env: outsideEnv() });
    // The generated tsconfig.json has comments; only its `types` line changes, the rest stays as `tsc --init` wrote it.
    const config = await readFile(join(fresh, 'tsconfig.json'), 'utf8');
    const withNode = /"types":\s*\[[^\]]*\]/.test(config)
      ? config.replace(/"types":\s*\[[^\]]*\]/, '"types": ["node"]')
      : config.replace(/"compilerOptions":\s*\{/, '"compilerOptions": {\n    "types": ["node"],');
    await writeFile(join(fresh, 'tsconfig.json'), withNode);
    const readmeExample = checkedBlocks(await readFile(join(REPO_ROOT, 'README.md'), 'utf8'))[0];
    expect(readmeExample, 'README.md has a type-checked example').toBeDefined();
    await writeFile(join(fresh, 'readme.ts'), readmeExample?.code ?? '');
    try {
      await run(tsc, ['-p', 'tsconfig.json', '--noEmit'], { cwd: fresh, env: outsideEnv(), timeout: 120_000 });
    } catch (error) {
      const failure = error as { stdout?: string };
      expect.fail(`TypeScript ${version.trim()} with tsc --init's settings found errors in README.md's example:\n${failure.stdout ?? String(error)}`);
    }
    // The newest major at the time of writing is 7 (the native compiler); a registry that served an older one would make this test moot.
    expect(Number(/Version (\d+)\./.exec(version)?.[1])).toBeGreaterThanOrEqual(7);
    timings['newest tsc'] = performance.now() - started;
  });

  const majors = [String(process.versions.node.split('.')[0]), ...EXTRA_NODE_MAJORS];
  for (const major of majors) {
    it(`starts the installed sandbox and calls it with the installed client on Node ${major}`, { timeout: 180_000 }, async () => {
      ready();
      const started = performance.now();
      const node = major === majors[0] ? { path: process.execPath, version: process.version } : await nodes.get(major);
      if (node === undefined) throw new Error(`no binary for Node ${major}`);
      expect(node.version.startsWith(`v${major}.`), `npx node@${major} ran ${node.version}`).toBe(true);

      const sandbox = await startInstalledSandbox(node.path, project);
      try {
        const report = JSON.parse(await runScript(node.path, 'call-sandbox.mjs', project, { SANDBOX_URL: sandbox.url })) as {
          node: string;
          versions: Record<string, string>;
          first: { ok: boolean; data?: { ActionStatus: string; GroupItem: { GroupName: string; GroupId: number }[] } };
          again: { ok: boolean; isApiError: boolean; code: number; retryable: boolean };
          table: { code51009: { retryable: boolean }; ownCodes: number[] };
          typesAtRuntime: string;
        };
        expect(report.node).toBe(node.version);
        expect(new Set(Object.values(report.versions)).size, JSON.stringify(report.versions)).toBe(1);
        expect(report.first).toMatchObject({ ok: true, data: { ActionStatus: 'OK', GroupItem: [{ GroupName: 'work' }] } });
        expect(report.again).toEqual({ ok: false, isApiError: true, code: 51009, retryable: false });
        expect(report.table.code51009.retryable).toBe(false);
        expect(report.table.ownCodes).toContain(51009);
        // `./types` is declarations only: importing it at runtime is refused, not silently empty.
        expect(report.typesAtRuntime).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
      } finally {
        await sandbox.stop();
      }

      // The blocks run as tsc compiled them; a failed compile is reported by the type-check test.
      await compiled.catch(() => expect.fail(`${docsPath}'s blocks did not compile, so they cannot run (see the type-check test)`));
      for (const block of blocks.filter((candidate) => candidate.run)) {
        const script = join('out', block.file.replace(/\.ts$/, '.js'));
        const stdout = await runScript(node.path, script, project, {});
        const expected = /\/\/ (.+)\s*$/.exec(block.code.split('\n').find((line) => line.startsWith('console.log(')) ?? '')?.[1];
        if (expected !== undefined) expect(stdout.trim(), `${docsPath}: ${block.file} prints what its comment says`).toBe(expected.trim());
      }
      timings[`node ${node.version}`] = performance.now() - started;
    });
  }

  it('states in engines exactly the Node majors tested here', async () => {
    ready();
    const manifest = JSON.parse(await readFile(join(project, 'node_modules', PACKAGE, 'package.json'), 'utf8')) as { engines: { node: string } };
    const tested = [process.version, ...(await Promise.all(EXTRA_NODE_MAJORS.map((major) => nodes.get(major)))).map((node) => node?.version ?? '')];
    for (const version of tested) expect(satisfies(version, manifest.engines.node), `${version} against engines ${manifest.engines.node}`).toBe(true);
    expect(engineRanges(manifest.engines.node).map((range) => String(range.major))).toEqual(majors);
  });

  it('serves the installed openapi.json with the Prism version the README pins', { timeout: 60_000 }, async () => {
    ready();
    const pinned = /@stoplight\/prism-cli@(\d+\.\d+\.\d+)/.exec(docsText)?.[1];
    const ours = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> })
      .devDependencies['@stoplight/prism-cli'];
    expect(pinned, `${docsPath} pins the Prism version it tells consumers to run`).toBe(ours);
    let mock: PrismServer | undefined;
    try {
      mock = await startPrism({ mode: 'mock', errors: true, spec: join(project, 'node_modules', PACKAGE, 'generated/openapi.json') });
      const report = JSON.parse(await runScript(process.execPath, 'call-mock.mjs', project, { MOCK_URL: mock.url })) as unknown;
      expect(report).toEqual({ success: true, failure: 51009 });
    } finally {
      await mock?.stop();
    }
  });
});
