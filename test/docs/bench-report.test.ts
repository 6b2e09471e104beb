/**
 * Where the benchmark scripts put their reports: `--write-docs` replaces the script's own marked section of docs/
 * (with the command and the date), and nothing else of the file.
 */
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { commandLine, docsSectionText, mostInAnyWindow, publishReport } from '../../scripts/bench/bench-support.js';
import { readMarkedSection } from '../../scripts/marked-sections.js';
import { REPO_ROOT } from '../../scripts/repo-root.js';

const DATE = new Date('2026-12-07T10:00:00Z');

describe('benchmark reports', () => {
  let dir: string | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('--write-docs puts the report in its section under the command and the date, and keeps the rest of the file', async () => {
    vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
    const file = join(dir, 'benchmarks.md');
    const before = '# Benchmarks\n\nTargets, by hand.\n\n<!-- bench:client -->\nold figures\n<!-- /bench:client -->\n\nMore prose.\n';
    await writeFile(file, before);
    const command = 'npx tsx scripts/bench/bench-client.ts --rounds 3';
    await publishReport('| a | b |\n|---|---|\n| 1 | 2 |\n', { writeDocs: true, section: { file, name: 'bench:client' }, command, date: DATE });
    const after = await readFile(file, 'utf8');
    expect(readMarkedSection(after, 'bench:client')).toBe(
      'Measured on 2026-12-07 with `npx tsx scripts/bench/bench-client.ts --rounds 3`:\n\n| a | b |\n|---|---|\n| 1 | 2 |',
    );
    expect(after.replace(/<!-- bench:client -->[\s\S]*<!-- \/bench:client -->/, '')).toBe(
      before.replace(/<!-- bench:client -->[\s\S]*<!-- \/bench:client -->/, ''),
    );
  });

  it('without --write-docs the docs are left alone', async () => {
    vi.spyOn(process.stdout, 'write').mockReturnValue(true);
    dir = await mkdtemp(join(tmpdir(), 'bench-report-'));
    const file = join(dir, 'benchmarks.md');
    await writeFile(file, '<!-- bench:client -->\nold\n<!-- /bench:client -->\n');
    await publishReport('new', { section: { file, name: 'bench:client' }, command: 'x', date: DATE });
    expect(await readFile(file, 'utf8')).toBe('<!-- bench:client -->\nold\n<!-- /bench:client -->\n');
  });

  it('the command shown is the script with its options, without where the report went', () => {
    const argv = ['/usr/bin/node', join(REPO_ROOT, 'scripts/bench/bench-bulk.ts'), '--users', '100', '--write-docs', '--out', '/tmp/x.md'];
    expect(commandLine(argv)).toBe('npx tsx scripts/bench/bench-bulk.ts --users 100');
    expect(docsSectionText('report\n\n', 'cmd', DATE)).toBe('Measured on 2026-12-07 with `cmd`:\n\nreport');
  });

  it('counts the most times in any one window, a time exactly one window later falling outside it', () => {
    expect(mostInAnyWindow([0, 999, 1000, 1500, 1999], 1000)).toBe(3);
    expect(mostInAnyWindow([2000, 0, 500], 1000)).toBe(2);
    expect(mostInAnyWindow([])).toBe(0);
  });

  it('every section a benchmark script writes exists in the file it names', async () => {
    const dirPath = join(REPO_ROOT, 'scripts/bench');
    const sections: { script: string; file: string; name: string }[] = [];
    for (const script of await readdir(dirPath)) {
      const source = await readFile(join(dirPath, script), 'utf8');
      for (const match of source.matchAll(/section: \{ file: '([^']+)', name: '([^']+)' \}/g)) {
        sections.push({ script, file: match[1]!, name: match[2]! });
      }
    }
    expect(sections.map((section) => section.script).sort()).toEqual(
      ['bench-bulk.ts', 'bench-client.ts', 'bench-fleet.ts', 'bench-limiter.ts', 'bench-sandbox.ts', 'bench-tests.ts', 'retry-matrix.ts'],
    );
    for (const { script, file, name } of sections) {
      const text = await readFile(join(REPO_ROOT, file), 'utf8');
      expect(readMarkedSection(text, name), `${script}: section ${name} of ${file}`).toMatch(/^Measured on \d{4}-\d\d-\d\d with `npx tsx scripts\/bench\//);
    }
  });
});
