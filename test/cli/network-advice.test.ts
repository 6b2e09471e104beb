/**
 * A call that gets no answer says why in words, naming what to check, on stderr and not only in --json: the real
 * program against hosts that refuse, do not exist, speak no TLS, never answer, or sit on a port fetch blocks.
 */
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVELOPMENT_SECRET_KEY } from '../../src/sandbox/index.js';
import { runCli, sandboxEnv } from '../support/cli-process.js';
import { freePort } from '../support/free-port.js';

const servers: { close(callback: () => void): unknown }[] = [];
const sockets: Socket[] = [];
let silentPort: number;
let plainHttpPort: number;

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  // Accepts connections and never answers.
  silentPort = await listen(createServer((socket) => sockets.push(socket)));
  // Plain HTTP, to be called with https.
  const plainHttp = createHttpServer((_request, response) => response.end('{}'));
  plainHttp.on('connection', (socket) => sockets.push(socket));
  plainHttpPort = await listen(plainHttp);
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function call(baseUrl: string, ...flags: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const result = await runCli(['delete-group', '--user', 'alice', '--group', 'work', '--max-attempts', '1', ...flags], sandboxEnv(baseUrl));
  expect(result.code).toBe(3);
  expect(result.stderr).not.toContain(DEVELOPMENT_SECRET_KEY);
  return result;
}

describe('a call that gets no answer names the cause and what to check', () => {
  it('connection refused: is the server running?', async () => {
    const port = await freePort();
    const result = await call(`http://127.0.0.1:${port}`);
    expect(result.stderr).toContain(`connection refused by 127.0.0.1:${port}: is the server at http://127.0.0.1:${port} running? (TENCENT_CHAT_BASE_URL)`);
  });

  it('a host name that does not resolve: check the region / base URL', async () => {
    const result = await call('https://chat-groups-test.invalid', '--base-url', 'https://chat-groups-test.invalid');
    expect(result.stderr).toMatch(/the host name chat-groups-test\.invalid could not be resolved \(DNS E[A-Z_]+\): check the region \/ base URL \(--base-url\)/);
  });

  it('a TLS error: https to a server that speaks plain HTTP', async () => {
    const result = await call(`https://127.0.0.1:${plainHttpPort}`);
    expect(result.stderr).toMatch(new RegExp(`TLS error with 127\\.0\\.0\\.1:${plainHttpPort} \\([A-Z_]+\\): check that TENCENT_CHAT_BASE_URL is the right https URL`));
  });

  it('no answer in time: raise --timeout-ms or check the network', async () => {
    const result = await call(`http://127.0.0.1:${silentPort}`, '--timeout-ms', '300');
    expect(result.stderr).toContain(`no answer from 127.0.0.1:${silentPort} in the time an attempt may take: raise --timeout-ms`);
  });

  it('a port fetch refuses to use', async () => {
    const result = await call('http://127.0.0.1:9');
    expect(result.stderr).toContain('fetch refuses to connect to the port of 127.0.0.1:9 (a port the Fetch standard blocks): give the server another port (TENCENT_CHAT_BASE_URL)');
  });
});
