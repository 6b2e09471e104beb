/**
 * Vitest global setup of `npm test`: a folder for this run, the programs that tests start as child processes built
 * once into it, and the contract mock that the contract tests share.
 *
 * - The run folder, in the system's temporary folder, holds what test files share within one run, such as the packed
 *   package (pack.ts). Like the programs' folder it is one per run, so runs side by side never share one, and both
 *   are removed when the run ends.
 * - The program: starting it from the sources through tsx costs about 0.45 s of CPU per process, as tsx transforms
 *   every module again in each one. It is bundled once with esbuild instead (the transform tsx itself uses), packages
 *   left as imports (the bundles live under node_modules/.cache, so those imports resolve to this repository's
 *   node_modules), and each process the tests start (cli-process.ts) runs the bundle in about 0.15 s. The same goes
 *   for the contender processes of the results-lock race (lock-contender.ts).
 * - The contract mock: Prism mocking the bundled document with `--errors` (see contract-mock.ts). It keeps no state
 *   between requests, so the files that use it share one, rather than paying 2.5 s of CPU each to start their own.
 */
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { startPrism } from '../../scripts/dev/prism.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's folder. */
    runFolder: string;
    /** The bundled programs (ES modules that Node runs as they are), by name. */
    programs: Record<ProgramName, string>;
    /** The URL of the shared contract mock. */
    contractMockUrl: string;
  }
}

/** The programs tests start as child processes, and their sources. */
const PROGRAMS = {
  'chat-groups': 'src/cli/main.ts',
  'lock-contender': 'test/support/lock-contender.ts',
} as const;

export type ProgramName = keyof typeof PROGRAMS;

const PROGRAM_FOLDERS = join(REPO_ROOT, 'node_modules/.cache/chat-groups-tests');

/** Older program folders are left by runs stopped before their teardown (no run lasts this long). */
const LEFT_BEHIND_MS = 24 * 60 * 60 * 1000;

async function removeLeftBehind(parent: string): Promise<void> {
  for (const name of await readdir(parent)) {
    const folder = join(parent, name);
    // Another run's teardown may remove its folder meanwhile.
    const modified = await stat(folder).then((found) => found.mtimeMs, () => undefined);
    if (modified !== undefined && Date.now() - modified > LEFT_BEHIND_MS) await rm(folder, { recursive: true, force: true });
  }
}

/** Bundles every program into `folder`, as `<name>.mjs`. */
async function buildPrograms(folder: string): Promise<Record<ProgramName, string>> {
  await build({
    entryPoints: Object.entries(PROGRAMS).map(([name, source]) => ({ in: join(REPO_ROOT, source), out: name })),
    outdir: folder,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Modules the program imports only when needed (the sandbox, the contract check) stay in chunks of their own,
    // loaded as the installed program loads them: only by the commands that use them.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // openapi-fetch and ioredis stay imports, resolved from node_modules as the installed program resolves them.
    packages: 'external',
    logLevel: 'warning',
  });
  return Object.fromEntries(Object.keys(PROGRAMS).map((name) => [name, join(folder, `${name}.mjs`)])) as Record<ProgramName, string>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runFolder = await mkdtemp(join(tmpdir(), 'chat-groups-test-run-'));
  await mkdir(PROGRAM_FOLDERS, { recursive: true });
  await removeLeftBehind(PROGRAM_FOLDERS);
  const programFolder = await mkdtemp(join(PROGRAM_FOLDERS, 'programs-'));
  const [programs, contractMock] = await Promise.all([buildPrograms(programFolder), startPrism({ mode: 'mock', errors: true })]);
  project.provide('runFolder', runFolder);
  project.provide('programs', programs);
  project.provide('contractMockUrl', contractMock.url);
  // A run stopped early (a signal to the runner alone) exits without its teardown: the mock must not outlive it.
  const stopMock = (): void => {
    try {
      if (contractMock.pid !== undefined) process.kill(contractMock.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stopMock);
  return async () => {
    process.off('exit', stopMock);
    await contractMock.stop();
    await Promise.all([runFolder, programFolder].map((folder) => rm(folder, { recursive: true, force: true })));
  };
}
