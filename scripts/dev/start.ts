/**
 * `npm start`: everything a developer needs locally, on 127.0.0.1, with nothing to configure.
 *
 *   - the stateful sandbox, behind Prism in proxy mode so every answer is checked against the document
 *     (a violation is printed and returned in an `sl-violations` header);
 *   - the contract mock (Prism answering from the document's examples);
 *   - the Redoc documentation;
 * then prints the URLs and a sample call that works against the sandbox. Ctrl-C stops everything.
 *
 * Each Prism runs under a supervisor: when it exits unasked it is reported and restarted on the same port, and when
 * it keeps dying (more than DEFAULT_MAX_RESTARTS times a minute) everything stops with exit code 1. In front of each
 * Prism a small guard answers bodies nested deeper than the document allows, which would otherwise crash Prism.
 *
 *   npm start -- --allow-faults     also enable the sandbox's fault-injection control API
 */
import { createServer } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { findStaleFiles, generateAll } from '../generate/generate.js';
import { startDepthGuard } from './depth-guard.js';
import { startPrism, type PrismOptions } from './prism.js';
import { supervise } from './supervisor.js';
import { serveDocs, type DocsServer } from './serve-docs.js';
import { DEFAULT_SANDBOX_PORT } from '../../src/cli/sandbox-command.js';
import { generateUserSig } from '../../src/usersig/usersig.js';
import { CONTROL_PREFIX, DEVELOPMENT_SECRET_KEY, defaultFixture, startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { REPO_ROOT } from '../repo-root.js';

/** Fixed ports so the printed URLs stay the same from run to run; a busy one is replaced by a free one. */
const preferredPorts = { docs: 4000, mock: 4010, proxy: 4011, sandbox: DEFAULT_SANDBOX_PORT } as const;

async function freeOr(port: number): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(port)));
  });
}

async function regenerateIfStale(): Promise<void> {
  const files = await generateAll();
  const stale = await findStaleFiles(files);
  if (stale.length === 0) return;
  for (const file of files.filter((candidate) => stale.includes(candidate.path))) {
    await mkdir(dirname(join(REPO_ROOT, file.path)), { recursive: true });
    await writeFile(join(REPO_ROOT, file.path), file.content);
  }
  console.log(`regenerated ${stale.join(', ')} from openapi/`);
}

function sampleCall(proxyUrl: string, sdkAppId: number, admin: string): string {
  // Signed with the sandbox's public development key: this UserSig opens nothing but the local sandbox.
  const userSig = generateUserSig({ secretKey: DEVELOPMENT_SECRET_KEY, sdkAppId, identifier: admin, expireSeconds: 86_400 });
  const query = `sdkappid=${sdkAppId}&identifier=${admin}&usersig=${userSig}&random=$RANDOM&contenttype=json`;
  return [
    `curl -s -X POST "${proxyUrl}/v4/recentcontact/del_contact_group?${query}" \\`,
    `  -H 'Content-Type: application/json' -d '{"From_Account":"alice","GroupName":["work"]}'`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'allow-faults': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('npm start [-- --allow-faults]\nStarts the sandbox behind Prism, the contract mock and the docs on 127.0.0.1.');
    return;
  }
  await regenerateIfStale();

  const running: { close(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.allSettled(running.reverse().map((service) => service.close()));
  };
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping...');
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const sandbox: RunningSandbox = await startSandbox({ port: await freeOr(preferredPorts.sandbox), allowFaults: values['allow-faults'] === true });
    running.push(sandbox);
    const printViolations = (line: string): void => {
      if (/violation/i.test(line)) console.log(`[contract] ${line.trim()}`);
    };
    const giveUp = (): void => {
      if (stopping) return;
      stopping = true;
      console.error('stopping everything: a Prism server cannot be kept running');
      void stopAll().then(() => process.exit(1));
    };
    /** Prism on a port of its own, supervised, behind a guard on the preferred port (whose URL is printed). */
    const guardedPrism = async (name: string, options: PrismOptions, preferredPort: number): Promise<{ url: string }> => {
      const prism = await supervise({ name, start: (port) => startPrism({ ...options, port }), onGiveUp: giveUp });
      running.push({ close: () => prism.stop() });
      const guard = await startDepthGuard({ upstream: prism.url, port: await freeOr(preferredPort) });
      running.push(guard);
      return guard;
    };
    const proxy = await guardedPrism('validating proxy', { mode: 'proxy', upstream: sandbox.url, onLine: printViolations }, preferredPorts.proxy);
    const mock = await guardedPrism('contract mock', { mode: 'mock', errors: true }, preferredPorts.mock);
    const docs: DocsServer = await serveDocs({ port: await freeOr(preferredPorts.docs) });
    running.push(docs);

    const admin = defaultFixture.admins[0] ?? 'administrator';
    console.log(`
Documentation      ${docs.url}/            (bundled document: ${docs.url}/openapi.json)
Sandbox via Prism  ${proxy.url}   every answer checked against the document; violations are printed here
Sandbox (direct)   ${sandbox.url}   faults ${values['allow-faults'] ? `enabled at ${sandbox.url}${CONTROL_PREFIX}` : 'off (npm start -- --allow-faults)'}
Contract mock      ${mock.url}   Prism answering from the examples (header "Prefer: example=error-51009")

Sandbox app: sdkappid ${defaultFixture.sdkAppId}, admin "${admin}", the public development key (not a secret).
Users alice, bob, carol; alice has the groups work, family and hobbies.

Try it (deletes alice's group "work"; run it twice to get 51009):
${sampleCall(proxy.url, defaultFixture.sdkAppId, admin)}

Ctrl-C stops everything.`);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

await main();
