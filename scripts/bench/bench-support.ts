/** What the benchmark scripts share: a build of the package to run from, and how a report is printed and saved. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

/** Prints the Markdown report, and also writes it to `out` when given (`--out FILE`). */
export async function publishReport(report: string, out: string | undefined): Promise<void> {
  process.stdout.write(report);
  if (out !== undefined) {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, report);
  }
}
