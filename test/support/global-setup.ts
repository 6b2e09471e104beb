/**
 * Vitest global setup of `npm test`: a folder for this run, and the programs that tests start as child processes
 * built once into it.
 *
 * - The run folder, in the system's temporary folder, holds what test files share within one run, such as the packed
 *   package (pack.ts). Like the programs' folder it is one per run, so runs side by side never share one, and both
 *   are removed when the run ends.
 * - The program: starting it from the sources through tsx costs about 0.45 s of CPU per process, as tsx transforms
 *   every module again in each one. It is bundled once with esbuild instead (the transform tsx itself uses), packages
 *   left as imports (the bundles live under node_modules/.cache, so those imports resolve to this repository's
 *   node_modules), and each process the tests start (cli-process.ts) runs the bundle in about 0.15 s. The same goes
 *   for the contender processes of the results-lock race (lock-contender.ts).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { TestProject } from 'vitest/node';
import { REPO_ROOT } from '../../scripts/repo-root.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's folder. */
    runFolder: string;
    /** The bundled programs (ES modules that Node runs as they are), by name. */
    programs: Record<ProgramName, string>;
  }
}

/** The programs tests start as child processes, and their sources. */
const PROGRAMS = {
  'chat-groups': 'src/cli/main.ts',
  'lock-contender': 'test/support/lock-contender.ts',
} as const;

export type ProgramName = keyof typeof PROGRAMS;

const PROGRAM_FOLDERS = join(REPO_ROOT, 'node_modules/.cache/chat-groups-tests');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const runFolder = await mkdtemp(join(tmpdir(), 'chat-groups-test-run-'));
  await mkdir(PROGRAM_FOLDERS, { recursive: true });
  const programFolder = await mkdtemp(join(PROGRAM_FOLDERS, 'programs-'));
  await build({
    entryPoints: Object.entries(PROGRAMS).map(([name, source]) => ({ in: join(REPO_ROOT, source), out: name })),
    outdir: programFolder,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // openapi-fetch and ioredis stay imports, resolved from node_modules as the installed program resolves them.
    packages: 'external',
    logLevel: 'warning',
  });
  project.provide('runFolder', runFolder);
  project.provide('programs', Object.fromEntries(Object.keys(PROGRAMS).map((name) => [name, join(programFolder, `${name}.mjs`)])) as Record<ProgramName, string>);
  return async () => {
    await Promise.all([runFolder, programFolder].map((folder) => rm(folder, { recursive: true, force: true })));
  };
}
