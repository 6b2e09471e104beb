/**
 * A second opinion on the contract check: the run goes through Prism's validating proxy in front of the sandbox, so
 * Prism checks every request and answer against the bundled document too. The byte-limit probes break only
 * `x-max-bytes`, which Prism does not know (it counts characters, and multi-byte names stay under `maxLength`), so
 * Prism finds nothing at all.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEVELOPMENT_SECRET_KEY } from '../../src/sandbox/index.js';
import { passed } from '../../src/verify/report.js';
import { verifyContract } from '../../src/verify/verify-contract.js';
import { startSandboxStack, type SandboxStack } from '../support/sandbox-stack.js';

let stack: SandboxStack;
beforeAll(async () => {
  stack = await startSandboxStack();
});
afterAll(async () => {
  await stack.stop();
});

it('finds everything held through the validating proxy, and Prism finds no request or answer that breaks the document', async () => {
  const headers: string[] = [];
  let answers = 0;
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    answers++;
    const header = response.headers.get('sl-violations');
    if (header !== null) headers.push(header);
    return response;
  };
  const report = await verifyContract({
    connection: { sdkAppId: 1400000000, identifier: 'administrator', secretKey: DEVELOPMENT_SECRET_KEY, baseUrl: stack.prism.url, fetch: recordingFetch },
    users: ['alice', 'bob'],
    rate: 200,
  });
  expect(report.checks.filter((check) => check.status === 'contradicted')).toEqual([]);
  expect(passed(report)).toBe(true);
  expect(answers).toBeGreaterThan(30);
  expect(headers).toEqual([]);
  expect(stack.loggedViolations()).toEqual([]);
}, 60_000);
