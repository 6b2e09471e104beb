/**
 * A sandbox with Prism in front of it as a validating proxy (without --errors, so Prism reports instead of
 * rewriting), and typed clients that record every `sl-violations` header Prism sends back. A test then asserts that
 * no response of the sandbox broke the spec, besides asserting on the results themselves.
 */
import { startPrism, type PrismServer } from '../../scripts/dev/prism.js';
import { createChatGroupsClient, type ChatGroupsClient } from '../../src/client/client.js';
import { DEVELOPMENT_SECRET_KEY, startSandbox, type RunningSandbox, type SandboxOptions } from '../../src/sandbox/index.js';

export interface SandboxStack {
  readonly sandbox: RunningSandbox;
  readonly prism: PrismServer;
  /** Every `sl-violations` header seen so far, with the status of its response. */
  readonly headerViolations: string[];
  /** A typed client that calls the sandbox through Prism. */
  client(options?: { identifier?: string; secretKey?: string }): ChatGroupsClient;
  /** A typed client that calls the sandbox directly. */
  directClient(options?: { identifier?: string; secretKey?: string }): ChatGroupsClient;
  /** The violations Prism logged, one line each. */
  loggedViolations(): string[];
  stop(): Promise<void>;
}

export async function startSandboxStack(options: SandboxOptions = {}): Promise<SandboxStack> {
  const sandbox = await startSandbox(options);
  const prism = await startPrism({ mode: 'proxy', upstream: sandbox.url });
  const headerViolations: string[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const header = response.headers.get('sl-violations');
    if (header !== null) headerViolations.push(`${response.status} ${header}`);
    return response;
  };
  const sdkAppId = options.fixture?.sdkAppId ?? 1400000000;
  const make = (baseUrl: string, clientOptions: { identifier?: string; secretKey?: string } = {}) =>
    createChatGroupsClient({
      sdkAppId,
      identifier: clientOptions.identifier ?? options.fixture?.admins[0] ?? 'administrator',
      secretKey: clientOptions.secretKey ?? options.secretKey ?? DEVELOPMENT_SECRET_KEY,
      baseUrl,
      fetch: recordingFetch,
    });
  return {
    sandbox,
    prism,
    headerViolations,
    client: (clientOptions) => make(prism.url, clientOptions),
    directClient: (clientOptions) => make(sandbox.url, clientOptions),
    loggedViolations: () => prism.output().split('\n').filter((line) => /violation/i.test(line)),
    async stop() {
      await prism.stop();
      await sandbox.close();
    },
  };
}
