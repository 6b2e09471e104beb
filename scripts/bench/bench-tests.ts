/**
 * How long the test suites take on this machine: `npm test` (everything CI runs) and `npm run test:fast` (the inner
 * loop), each run `--runs` times one after the other, as a developer runs them. Reported per suite: the wall time of
 * each run and their median, the CPU time the run used (the test runner and every process it started: servers,
 * the program under test, npm, tsc, Chromium), and the test counts of the run's last line, so a fast run that
 * skipped or failed tests cannot pass for a fast suite.
 *
 *   npx tsx scripts/bench/bench-tests.ts [--runs N] [--suite all|fast] [--out FILE] [--write-docs]
 *
 * Targets (the house's): `npm test` at most 60 s, `npm run test:fast` at most 10 s, every test passing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../repo-root.js';
import { median, publishReport, reportOptions } from './bench-support.js';

const SUITES = {
  all: { script: 'test', command: 'npm test', targetSeconds: 60 },
  fast: { script: 'test:fast', command: 'npm run test:fast', targetSeconds: 10 },
} as const;
type SuiteName = keyof typeof SUITES;

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, suite: { type: 'string' }, ...reportOptions } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number of at least 1');
if (values.suite !== undefined && !(values.suite in SUITES)) throw new Error(`--suite must be one of ${Object.keys(SUITES).join(', ')}`);
const suites = (values.suite === undefined ? Object.keys(SUITES) : [values.suite]) as SuiteName[];

/** CPU seconds used by the children this process has waited for (Linux: /proc/self/stat, cutime + cstime). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After the command name: state is field 0, so cutime and cstime are 13 and 14; in clock ticks of 1/100 s.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

interface RunResult {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly exitCode: number | null;
  /** From the run's `N passed, N failed, N skipped` line. */
  readonly counts: { passed: number; failed: number; skipped: number } | undefined;
}

function runSuite(script: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const cpuBefore = childrenCpuSeconds();
    const started = performance.now();
    const child = spawn('npm', ['run', '--silent', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', reject);
    child.once('close', (exitCode) => {
      const wallSeconds = (performance.now() - started) / 1000;
      const match = /(\d+) passed, (\d+) failed, (\d+) skipped\s*$/.exec(output);
      resolve({
        wallSeconds,
        cpuSeconds: childrenCpuSeconds() - cpuBefore,
        exitCode,
        counts: match === null ? undefined : { passed: Number(match[1]), failed: Number(match[2]), skipped: Number(match[3]) },
      });
    });
  });
}

const lines: string[] = [
  `${availableParallelism()} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}; each suite run ${runs} time(s) in a row.`,
  '',
  '| suite | run | wall | CPU (all processes) | tests |',
  '|---|---|---|---|---|',
];
const summaries: string[] = [];
for (const name of suites) {
  const suite = SUITES[name];
  const results: RunResult[] = [];
  for (let run = 1; run <= runs; run += 1) {
    process.stderr.write(`${suite.command}: run ${run} of ${runs}...\n`);
    const result = await runSuite(suite.script);
    results.push(result);
    const counts = result.counts === undefined ? `no summary line (exit ${result.exitCode})` : `${result.counts.passed} passed, ${result.counts.failed} failed, ${result.counts.skipped} skipped`;
    lines.push(`| \`${suite.command}\` | ${run} | ${result.wallSeconds.toFixed(1)} s | ${result.cpuSeconds.toFixed(0)} s | ${counts} |`);
  }
  const wall = median(results.map((result) => result.wallSeconds));
  const allPassed = results.every((result) => result.exitCode === 0 && result.counts !== undefined && result.counts.failed === 0 && result.counts.skipped === 0);
  summaries.push(
    `- \`${suite.command}\`: median ${wall.toFixed(1)} s against a target of ${suite.targetSeconds} s (${wall <= suite.targetSeconds ? 'met' : 'not met'}); ` +
      `${allPassed ? 'every run passed every test' : 'a run failed or skipped tests'}.`,
  );
}
lines.push('', ...summaries);

await publishReport(`${lines.join('\n')}\n`, {
  out: values.out,
  writeDocs: values['write-docs'],
  section: { file: 'docs/testing.md', name: 'bench:test-suites' },
});
