/**
 * The contract mock for a test file: Prism on the bundled document (`--errors`, so a request that breaks it is
 * refused), started once for the file, and a client pointed at it through an injected `fetch` that can ask for a
 * named response example (`Prefer: example=NAME`).
 */
import { afterAll, beforeAll, vi } from 'vitest';
import { startPrism, type PrismServer } from '../../scripts/dev/prism.js';
import { createChatGroupsClient, type ChatGroupsClient } from '../../src/client/client.js';

export interface ContractMock {
  readonly prism: PrismServer;
  readonly chat: ChatGroupsClient;
  /** The injected fetch: every request the client sent to Prism. */
  readonly sent: ReturnType<typeof vi.fn<(request: Request) => Promise<Response>>>;
  /** The example the next requests ask for; undefined lets Prism choose (the success example). */
  prefer: string | undefined;
  /** How many requests Prism refused for breaking the document so far. */
  refusals(): number;
}

export function useContractMock(): ContractMock {
  let prism: PrismServer | undefined;
  let chat: ChatGroupsClient | undefined;
  const mock: ContractMock = {
    get prism() {
      if (!prism) throw new Error('the contract mock has not started');
      return prism;
    },
    get chat() {
      if (!chat) throw new Error('the contract mock has not started');
      return chat;
    },
    sent: vi.fn((request: Request) => {
      if (mock.prefer !== undefined) request.headers.set('Prefer', mock.prefer);
      return fetch(request);
    }),
    prefer: undefined,
    refusals: () => mock.prism.output().split('Request did not pass the validation rules').length - 1,
  };
  beforeAll(async () => {
    prism = await startPrism({ mode: 'mock', errors: true });
    chat = createChatGroupsClient({
      sdkAppId: 1400000000,
      identifier: 'administrator',
      secretKey: 'contract-test-key',
      baseUrl: prism.url,
      fetch: mock.sent as unknown as typeof fetch,
      // Each named example must come back as documented; retries are tested against the sandbox.
      retry: false,
    });
  });
  afterAll(async () => {
    await prism?.stop();
  });
  return mock;
}
