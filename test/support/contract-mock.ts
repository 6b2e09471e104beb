/**
 * The contract mock for a test file: Prism on the bundled document (`--errors`, so a request that breaks it is
 * refused with HTTP 422), started once per run by the global setup and shared by the files, and a client of this
 * file pointed at it through an injected `fetch` that can ask for a named response example (`Prefer: example=NAME`).
 */
import { beforeAll, inject, vi } from 'vitest';
import { createChatGroupsClient, type ChatGroupsClient } from '../../src/client/client.js';

export interface ContractMock {
  readonly chat: ChatGroupsClient;
  /** The injected fetch: every request the client sent to Prism. */
  readonly sent: ReturnType<typeof vi.fn<(request: Request) => Promise<Response>>>;
  /** The example the next requests ask for; undefined lets Prism choose (the success example). */
  prefer: string | undefined;
  /** How many requests of this file's client Prism refused for breaking the document so far. */
  refusals(): number;
}

/** Prism's status for a request that breaks the document, with `--errors`. */
const REFUSED = 422;

export function useContractMock(): ContractMock {
  let chat: ChatGroupsClient | undefined;
  let refused = 0;
  const mock: ContractMock = {
    get chat() {
      if (!chat) throw new Error('the contract mock has not started');
      return chat;
    },
    sent: vi.fn(async (request: Request) => {
      if (mock.prefer !== undefined) request.headers.set('Prefer', mock.prefer);
      const response = await fetch(request);
      if (response.status === REFUSED) refused += 1;
      return response;
    }),
    prefer: undefined,
    refusals: () => refused,
  };
  beforeAll(() => {
    chat = createChatGroupsClient({
      sdkAppId: 1400000000,
      identifier: 'administrator',
      secretKey: 'contract-test-key',
      baseUrl: inject('contractMockUrl'),
      fetch: mock.sent as unknown as typeof fetch,
      // Each named example must come back as documented; retries are tested against the sandbox.
      retry: false,
    });
  });
  return mock;
}
