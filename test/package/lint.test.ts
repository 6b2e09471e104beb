/**
 * The tarball `npm pack` makes, checked the way a registry user would find it: publint and are-the-types-wrong report
 * nothing, it holds what the exports and the bin point at and nothing of the repository's sources, tests or scripts,
 * its runtime dependencies are exactly the packages its code imports, and every generated file names the spec version.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { setUpOrFail } from '../support/setup.js';
import { outsideEnv, packOnce, REPO_ROOT, type PackedPackage } from '../support/pack.js';

const run = promisify(execFile);
const bin = (name: string): string => join(REPO_ROOT, 'node_modules/.bin', name);

interface Manifest {
  name: string;
  version: string;
  engines: { node: string };
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  scripts?: Record<string, string>;
}

/** What the tarball may hold; anything else (sources, tests, scripts, openapi/, releases/) is a packing mistake. */
const ALLOWED = [
  /^package\.json$/,
  /^README\.md$/,
  /^CHANGELOG\.md$/,
  /^LICENSE$/,
  /^dist\/(src|generated)\/.+\.(js|d\.ts)$/,
  /^dist\/generated\/openapi\.json$/,
  /^generated\/openapi\.json$/,
  /^generated\/docs\/index\.html$/,
];

/** Upper bounds with room to grow (more operations); crossing them means something big got in by mistake. */
const MAX_PACKED_BYTES = 1_500_000;
const MAX_UNPACKED_BYTES = 5_000_000;

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(join(dir, prefix), { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => (entry.isDirectory() ? listFiles(dir, join(prefix, entry.name)) : Promise.resolve([join(prefix, entry.name)]))),
  );
  return nested.flat();
}

/** The bare module specifiers (not relative, not `node:`) that a built file imports, statically or dynamically. */
function bareImports(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/\b(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g),
    ...source.matchAll(/\bimport\s*['"]([^'"]+)['"]/g),
    ...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((match) => match[1] ?? '');
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('node:'))
    .map((specifier) => (specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? '')));
}

describe('the packed package', () => {
  let packed: PackedPackage | undefined;
  let unpacked = '';
  let manifest: Manifest;
  let files: string[] = [];

  const ready = setUpOrFail(async () => {
    packed = await packOnce();
    unpacked = await mkdtemp(join(tmpdir(), 'chat-groups-unpacked-'));
    await run('tar', ['-xzf', packed.tarball, '-C', unpacked]);
    unpacked = join(unpacked, 'package');
    manifest = JSON.parse(await readFile(join(unpacked, 'package.json'), 'utf8')) as Manifest;
    files = (await listFiles(unpacked)).sort();
    console.log(
      `npm pack: ${files.length} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked ` +
        `(generated/docs/index.html: ${((packed.files.find((file) => file.path === 'generated/docs/index.html')?.size ?? 0) / 1e6).toFixed(2)} MB), ` +
        `built and packed in ${(packed.milliseconds / 1000).toFixed(1)} s`,
    );
  }, 120_000);

  afterAll(async () => {
    if (unpacked !== '') await rm(join(unpacked, '..'), { recursive: true, force: true });
  });

  it('passes publint --strict with nothing to report', { timeout: 60_000 }, async () => {
    ready();
    const result = await run(bin('publint'), ['run', packed?.tarball ?? '', '--strict', '--level', 'suggestion'], { env: outsideEnv() }).catch(
      (failure: { stdout: string; stderr: string; code: number }) => failure,
    );
    expect(`${result.stdout}${result.stderr}`).toContain('All good!');
    expect('code' in result ? result.code : 0).toBe(0);
  });

  it('passes are-the-types-wrong (ESM-only profile) with no problem', { timeout: 60_000 }, async () => {
    ready();
    const result = await run(bin('attw'), [packed?.tarball ?? '', '--profile', 'esm-only', '--format', 'json'], {
      env: outsideEnv(),
      maxBuffer: 64 * 1024 * 1024,
    }).catch((failure: { stdout: string; stderr: string; code: number }) => failure);
    const report = JSON.parse(result.stdout) as {
      analysis: { entrypoints: Record<string, unknown>; problems: { kind: string; entrypoint: string; resolutionKind?: string }[] };
    };
    // The esm-only profile does not count CommonJS and pre-exports (node10) resolution: the package is ESM only.
    const counted = report.analysis.problems.filter((problem) => problem.resolutionKind !== 'node10' && problem.resolutionKind !== 'node16-cjs');
    expect(counted).toEqual([]);
    expect('code' in result ? result.code : 0, result.stderr).toBe(0);
    // Every export is analysed, so a new subpath is covered without an edit here.
    const analysed = Object.keys(report.analysis.entrypoints);
    expect(analysed.sort()).toEqual(Object.keys(manifest.exports).sort());
  });

  it('holds the built code, the bundled document and the docs page, and none of the sources', () => {
    ready();
    const unexpected = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)));
    expect(unexpected, 'files that should not be in the package').toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'CHANGELOG.md', 'generated/openapi.json', 'generated/docs/index.html']));
    expect(files.filter((file) => file.endsWith('.test.js') || file.startsWith('dist/test') || file.startsWith('dist/scripts'))).toEqual([]);
    expect(packed?.size).toBeLessThan(MAX_PACKED_BYTES);
    expect(packed?.unpackedSize).toBeLessThan(MAX_UNPACKED_BYTES);
  });

  it('asks nothing of installers: no install-time script in the published manifest', () => {
    ready();
    // npm warns every installer about a package with install scripts; building happens before packing instead.
    const lifecycle = ['preinstall', 'install', 'postinstall', 'prepare'];
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => lifecycle.includes(name))).toEqual([]);
  });

  it('has a file behind every export and the bin, and a types condition first for every code export', async () => {
    ready();
    const targets = Object.entries(manifest.exports).flatMap(([subpath, target]) =>
      typeof target === 'string' ? [[subpath, target] as const] : Object.values(target).map((file) => [subpath, file] as const),
    );
    for (const [subpath, target] of targets) expect(files, `exports["${subpath}"] → ${target}`).toContain(target.replace(/^\.\//, ''));
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target !== 'string') expect(Object.keys(target)[0], `exports["${subpath}"]`).toBe('types');
    }
    expect(manifest.exports['./types'], 'the generated types are a type-only export').toEqual({ types: './dist/generated/types.d.ts' });
    for (const [name, target] of Object.entries(manifest.bin)) {
      const source = await readFile(join(unpacked, target), 'utf8');
      expect(source.startsWith('#!/usr/bin/env node\n'), `bin ${name} → ${target} starts with a node shebang`).toBe(true);
    }
  });

  it('declares as runtime dependencies exactly the packages its code imports, the optional Redis client as an optional peer', async () => {
    ready();
    const imported = new Set<string>();
    for (const file of files.filter((candidate) => candidate.endsWith('.js'))) {
      for (const name of bareImports(await readFile(join(unpacked, file), 'utf8'))) imported.add(name);
    }
    const optionalPeers = Object.keys(manifest.peerDependencies ?? {}).filter((name) => manifest.peerDependenciesMeta?.[name]?.optional === true);
    expect(optionalPeers).toEqual(['ioredis']);
    expect([...imported].sort()).toEqual([...Object.keys(manifest.dependencies), ...optionalPeers].sort());
    // Declarations may also name type-only packages; each must be a dependency too, or consumers' tsc fails.
    const typed = new Set<string>();
    for (const file of files.filter((candidate) => candidate.endsWith('.d.ts'))) {
      for (const name of bareImports(await readFile(join(unpacked, file), 'utf8'))) typed.add(name);
    }
    // An optional peer must not appear in them at all: a consumer without it must still type-check.
    for (const name of typed) expect(Object.keys(manifest.dependencies), `${name}, imported by a .d.ts`).toContain(name);
  });

  it('stamps the spec version in package.json, the bundled document and every generated file it ships', async () => {
    ready();
    const document = JSON.parse(await readFile(join(unpacked, 'generated/openapi.json'), 'utf8')) as { info: { version: string }; 'x-generated': string };
    expect(document.info.version).toBe(manifest.version);
    expect(document['x-generated']).toContain(`spec version ${manifest.version}`);
    const generated = files.filter((file) => /^dist\/generated\/.+\.(js|d\.ts)$/.test(file));
    expect(generated.length).toBeGreaterThan(0);
    for (const file of generated) {
      const head = (await readFile(join(unpacked, file), 'utf8')).slice(0, 300);
      expect(head, file).toContain(`spec version ${manifest.version}`);
    }
    const html = await readFile(join(unpacked, 'generated/docs/index.html'), 'utf8');
    expect(html.slice(0, 300)).toContain(`spec version ${manifest.version}`);
  });
});
