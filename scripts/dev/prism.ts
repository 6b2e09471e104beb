/**
 * Starts Stoplight Prism on the bundled document, as a contract mock or as a validating proxy in front of a server,
 * on a free loopback port. Used by `npm start`, the tests and the benchmarks.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../repo-root.js';

export const prismBin = join(REPO_ROOT, 'node_modules/.bin/prism');
export const bundledSpec = join(REPO_ROOT, 'generated/openapi.json');

export interface PrismOptions {
  /** `mock` answers from the document's examples; `proxy` forwards to `upstream` and checks both directions. */
  mode: 'mock' | 'proxy';
  upstream?: string;
  /**
   * With `errors`, a request that breaks the document is refused (422) and, in proxy mode, a response that breaks it
   * becomes a 500. Without it, proxy mode passes responses through and reports violations in an `sl-violations` header.
   */
  errors?: boolean;
  port?: number;
  spec?: string;
  /** How long to wait for Prism to say it listens. */
  startTimeoutMs?: number;
  /** Receives each line Prism prints (its request log and the violations it finds). */
  onLine?: (line: string) => void;
}

export interface PrismExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface PrismServer {
  readonly url: string;
  readonly pid: number | undefined;
  /** Settles when the Prism process ends, whether stopped or not. */
  readonly exited: Promise<PrismExit>;
  /** Everything Prism printed so far (its log names each request and each violation it found). */
  output(): string;
  stop(): Promise<void>;
}

export async function startPrism(options: PrismOptions): Promise<PrismServer> {
  const args = [
    options.mode,
    options.spec ?? bundledSpec,
    ...(options.mode === 'proxy' ? [requireUpstream(options)] : []),
    '--host', '127.0.0.1',
    '--port', String(options.port ?? 0),
    ...(options.errors ? ['--errors'] : []),
  ];
  const child = spawn(prismBin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let log = '';
  let partialLine = '';
  // Prism stalls when its pipes fill up, so its output is drained for as long as it runs.
  const collect = (chunk: string): void => {
    log += chunk;
    if (!options.onLine) return;
    const lines = (partialLine + chunk).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) options.onLine(line);
  };
  child.stdout.setEncoding('utf8').on('data', collect);
  child.stderr.setEncoding('utf8').on('data', collect);
  const exited = new Promise<PrismExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`Prism did not start within ${options.startTimeoutMs ?? 20000} ms:\n${log}`)), options.startTimeoutMs ?? 20000);
    const poll = setInterval(() => {
      const match = /Prism is listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (match?.[1]) {
        cleanup();
        resolve(match[1]);
      }
    }, 25);
    const onExit = (code: number | null) => fail(new Error(`Prism exited (code ${code}) before listening:\n${log}`));
    child.once('exit', onExit);
    function cleanup(): void {
      clearTimeout(timer);
      clearInterval(poll);
      child.off('exit', onExit);
    }
    function fail(error: Error): void {
      cleanup();
      child.kill('SIGKILL');
      reject(error);
    }
  });

  return {
    url,
    pid: child.pid,
    exited,
    output: () => log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

function requireUpstream(options: PrismOptions): string {
  if (!options.upstream) throw new Error('Prism proxy mode needs the upstream URL');
  return options.upstream;
}
