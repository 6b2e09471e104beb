/**
 * Packs the package the way a release would (`npm pack`, which runs `prepack` and so builds dist/ from scratch), for
 * the tests that look at the package from outside. `packOnce` packs it once per run for all of them: the build is the
 * costliest step of those tests, and they all look at the same package.
 *
 * The pack runs in a copy of the repository, not in it: a pack deletes and rebuilds dist/, which would race with
 * anyone building in the repository and with another test run packing at the same time. The copy
 * leaves out dist/ (so nothing stale can slip in), .git and node_modules; node_modules is linked, because the build
 * needs the dev tools and reads nothing else from it.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { inject, vi } from 'vitest';
import { REPO_ROOT } from '../../scripts/repo-root.js';

export { REPO_ROOT };

const run = promisify(execFile);

/** Top-level entries of the repository that a pack never needs. */
const NOT_COPIED = new Set(['.git', 'node_modules', 'dist', '.tmp', 'coverage']);

export interface PackedFile {
  readonly path: string;
  readonly size: number;
}

export interface PackedPackage {
  /** Absolute path of the .tgz. */
  readonly tarball: string;
  /** The copy the tarball was packed from (with its freshly built dist/). */
  readonly packageDir: string;
  /** Compressed and unpacked sizes in bytes, as npm reports them. */
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
  /** How long the copy, the build and the pack took. */
  readonly milliseconds: number;
}

/**
 * The environment for npm and node children: without what `npm test` adds (its idea of the project root, this
 * package's fields and the repository's node_modules/.bin on PATH), so a child sees only what it is given.
 */
export function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^npm_(package_|lifecycle_|command$|execpath$|node_execpath$|config_local_prefix$)/i.test(name)) continue;
    if (name === 'INIT_CWD' || name === 'NODE_OPTIONS' || name.startsWith('VITEST')) continue;
    env[name] = value;
  }
  env['PATH'] = (process.env['PATH'] ?? '')
    .split(':')
    .filter((entry) => entry !== '' && !entry.startsWith(REPO_ROOT.replace(/\/$/, '')))
    .join(':');
  return { ...env, ...extra };
}

/** How long a test file waits for another one's pack. */
const PACK_WAIT_MS = 240_000;

/**
 * The package packed in this run's folder (see global-setup.ts) by whichever test file asks first; the others wait
 * for its report, or its failure. The run's teardown removes it.
 */
export async function packOnce(): Promise<PackedPackage> {
  const folder = join(inject('runFolder'), 'pack');
  const report = join(folder, 'report.json');
  const failure = join(folder, 'failure.txt');
  try {
    // Creating the folder is atomic: exactly one file of the run gets to pack.
    await mkdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const outcome = await vi
      .waitFor(
        async () => {
          const failed = await readFile(failure, 'utf8').catch(() => undefined);
          if (failed !== undefined) return { failed };
          // Not there yet throws, and waitFor asks again.
          return { packed: JSON.parse(await readFile(report, 'utf8')) as PackedPackage };
        },
        { timeout: PACK_WAIT_MS, interval: 100 },
      )
      .catch(() => {
        throw new Error(`no report of this run's pack in ${folder} after ${PACK_WAIT_MS / 1000} s: the test file packing it may have died`);
      });
    if ('failed' in outcome) throw new Error(`the pack of this run, made by another test file, failed:\n${outcome.failed}`);
    return outcome.packed;
  }
  try {
    const packed = await packPackage(folder);
    // Written aside and renamed, so a waiting file never reads half of it.
    await writeFile(`${report}.partial`, JSON.stringify(packed));
    await rename(`${report}.partial`, report);
    return packed;
  } catch (error) {
    await writeFile(failure, String((error as Error).message));
    throw error;
  }
}

/** Packs the package in `workDir`, an existing folder: the tarball, and the copy it was packed from in `package/`. */
async function packPackage(workDir: string): Promise<PackedPackage> {
  const started = performance.now();
  try {
    const packageDir = join(workDir, 'package');
    await cp(REPO_ROOT, packageDir, {
      recursive: true,
      filter: (source) => {
        const first = relative(REPO_ROOT, source).split(sep)[0] ?? '';
        return !NOT_COPIED.has(first);
      },
    });
    await symlink(join(REPO_ROOT, 'node_modules'), join(packageDir, 'node_modules'), 'dir');
    let stdout: string;
    try {
      ({ stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir], {
        cwd: packageDir,
        env: outsideEnv({ PATH: `${join(packageDir, 'node_modules/.bin')}:${outsideEnv()['PATH'] ?? ''}` }),
        maxBuffer: 32 * 1024 * 1024,
      }));
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      throw new Error(`npm pack failed (its prepack script builds dist/):\n${failure.stdout ?? ''}\n${failure.stderr ?? ''}`);
    }
    // `prepack` may print before npm's JSON report; the report is the last top-level array.
    const report = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: PackedFile[];
    }[];
    const entry = report[0];
    if (entry === undefined) throw new Error(`npm pack printed no report:\n${stdout}`);
    return {
      tarball: join(workDir, entry.filename),
      packageDir,
      size: entry.size,
      unpackedSize: entry.unpackedSize,
      files: entry.files.map(({ path, size }) => ({ path, size })),
      milliseconds: performance.now() - started,
    };
  } catch (error) {
    await rm(join(workDir, 'package'), { recursive: true, force: true });
    throw error;
  }
}
