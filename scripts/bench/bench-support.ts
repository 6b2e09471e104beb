/**
 * What the benchmark scripts share: a build of the package to run from, and how a report is printed and saved (to a
 * file with `--out FILE`, into its own section of docs/ with `--write-docs`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { replaceMarkedSection } from '../marked-sections.js';
import { REPO_ROOT } from '../repo-root.js';

/**
 * Compiles the package (its own tsconfig.build.json) into a temporary directory, so a benchmark measures the code
 * as it ships: tsx's on-the-fly transform names every closure it creates, which costs microseconds per call.
 * `mustEmit` is a file the benchmark runs; its absence means the build failed.
 */
export async function buildPackageForBench(prefix: string, mustEmit: string): Promise<string> {
  const outDir = await mkdtemp(join(tmpdir(), prefix));
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  // Type errors elsewhere in a tree being edited do not stop tsc from emitting; the emitted program is what counts.
  spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'ignore' });
  if (!existsSync(join(outDir, mustEmit))) throw new Error(`tsc did not emit ${mustEmit} into ${outDir}`);
  await writeFile(join(outDir, 'package.json'), '{"type":"module"}\n');
  // Runtime dependencies (openapi-fetch) resolve from the project, as they would from an install.
  await symlink(join(REPO_ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return outDir;
}

/** The middle value of `numbers` (the mean of the two middle ones for an even count). */
export function median(numbers: readonly number[]): number {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The most of `times` (milliseconds, any order) that fall in any one window of `windowMs`. */
export function mostInAnyWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/** The `parseArgs` options every benchmark script takes for its report. */
export const reportOptions = {
  out: { type: 'string' },
  'write-docs': { type: 'boolean' },
} as const;

/** Where `--write-docs` puts a report: a Markdown file (relative to the repository) and its marked section's name. */
export interface DocsSection {
  readonly file: string;
  readonly name: string;
}

export interface PublishOptions {
  /** `--out FILE`: the report alone, as printed. */
  readonly out?: string | undefined;
  /** `--write-docs`: the report replaces the text of `section`, under the command that produced it and the date. */
  readonly writeDocs?: boolean | undefined;
  readonly section: DocsSection;
  /** The run's command line, from process.argv unless given. */
  readonly command?: string;
  readonly date?: Date;
}

/** How the running script was started, as a reader would type it: `npx tsx scripts/bench/x.ts` and its options. */
export function commandLine(argv: readonly string[] = process.argv): string {
  const script = argv[1] === undefined ? 'scripts/bench/?' : relative(REPO_ROOT, argv[1]);
  const options: string[] = [];
  for (let index = 2; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    // Where the report went is not part of how its figures were measured.
    if (arg === '--write-docs') continue;
    if (arg === '--out') {
      index += 1;
      continue;
    }
    if (arg.startsWith('--out=')) continue;
    options.push(arg);
  }
  return ['npx tsx', script, ...options].join(' ');
}

/** The text of a report's section in docs/: the command and the date, then the report. */
export function docsSectionText(report: string, command: string, date: Date): string {
  return `Measured on ${date.toISOString().slice(0, 10)} with \`${command}\`:\n\n${report.replace(/\s+$/, '')}`;
}

/** Prints the Markdown report, and writes it where `options` say (`--out FILE`, `--write-docs`). */
export async function publishReport(report: string, options: PublishOptions): Promise<void> {
  process.stdout.write(report.endsWith('\n') ? report : `${report}\n`);
  if (options.out !== undefined) {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, report);
  }
  if (options.writeDocs === true) {
    const file = resolve(REPO_ROOT, options.section.file);
    const text = docsSectionText(report, options.command ?? commandLine(), options.date ?? new Date());
    await writeFile(file, replaceMarkedSection(await readFile(file, 'utf8'), options.section.name, text, options.section.file));
    process.stdout.write(`wrote the report into ${options.section.file} (section ${options.section.name})\n`);
  }
}
