/**
 * Packs the package the way a release would (`npm pack`, which runs `prepack` and so builds dist/ from scratch), for
 * the tests that look at the package from outside.
 *
 * The pack runs in a copy of the repository, not in it: several test files pack at the same time, and each pack
 * deletes and rebuilds dist/, which would race with the others and with anyone building in the repository. The copy
 * leaves out dist/ (so nothing stale can slip in), .git and node_modules; node_modules is linked, because the build
 * needs the dev tools and reads nothing else from it.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
  cleanup(): Promise<void>;
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

export async function packPackage(): Promise<PackedPackage> {
  const started = performance.now();
  const workDir = await mkdtemp(join(tmpdir(), 'chat-groups-pack-'));
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
      cleanup: () => rm(workDir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
