/**
 * A real `redis-server` (Debian's package) for the tests and benchmarks of the shared rate limit, on a free loopback
 * port, with no persistence: a restart empties it, as a crashed Redis without a disk would be. Redis has no `--port 0`,
 * so a free port is found by binding port 0 here first and giving it back; `restart()` reuses the same port, as a
 * supervisor restarting Redis would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { freePort } from './free-port.js';

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** SIGKILLs the server (a crash: nothing is flushed) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty, and waits until it answers PING. */
  restart(): Promise<void>;
  /** Stops it for good (SIGKILL; there is nothing to save). */
  stop(): Promise<void>;
}

const BINARY = process.env['REDIS_SERVER_PATH'] ?? 'redis-server';
const READY_TIMEOUT_MS = 10_000;

/** One PING over a raw socket: true when the server answers +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function launch(port: number): { child: ChildProcess; output: () => string } {
  const child = spawn(BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // Drained for the whole run, so a chatty server never stalls on a full pipe.
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, output: () => output };
}

async function untilReady(port: number, child: ChildProcess, output: () => string): Promise<void> {
  let failed: Error | undefined;
  child.once('error', (error) => (failed = error));
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    if (failed !== undefined) throw new Error(`cannot start ${BINARY} (install Debian's redis-server package): ${failed.message}`);
    if (child.exitCode !== null) throw new Error(`${BINARY} exited with ${child.exitCode}:\n${output()}`);
    if (await ping(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${BINARY} did not answer PING on port ${port} within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let current = launch(port);
  await untilReady(port, current.child, current.output);
  const kill = async (): Promise<void> => {
    current.child.kill('SIGKILL');
    await exited(current.child);
  };
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill();
      current = launch(port);
      await untilReady(port, current.child, current.output);
    },
    stop: kill,
  };
}
