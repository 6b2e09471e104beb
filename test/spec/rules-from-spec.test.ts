/**
 * The rules the client and the CLI act on come from the generated tables, not from numbers typed into src/: the
 * retryable HTTP statuses, the signing parameter names, the set-up hints per error code, the limits shown in
 * `--help`, and no vendor error code written as a number anywhere in the client or CLI code.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorCodes, retryableHttpStatuses, type ErrorCodeInfo } from '../../generated/error-codes.js';
import { operations, requestFormat, signingParameters } from '../../generated/operations.js';
import { commands } from '../../src/cli/commands.js';
import { runCli as runInProcess } from '../../src/cli/dispatch.js';
import { createChatGroupsClient } from '../../src/client/client.js';
import { RETRYABLE_HTTP_STATUSES } from '../../src/client/policy.js';
import { DEVELOPMENT_SECRET_KEY } from '../../src/sandbox/index.js';
import { signatureHint, type SigningSetUp } from '../../src/client/signature-hints.js';
import { ROOT } from '../support/cli-process.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'sandbox' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('client and CLI code', () => {
  it('writes no vendor error code (50000-51999, 60000-79999) as a number outside the sandbox', () => {
    const found = sourceFiles(join(ROOT, 'src')).flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, index) => (/\b(5[01][0-9]{3}|[67][0-9]{4})\b/.test(line) ? [`${relative(ROOT, file)}:${index + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });
});

/** A client whose every request is answered by `answer`, recording each request's URL. */
function stubbedClient(answer: (attempt: number) => Response, urls: URL[] = []) {
  return createChatGroupsClient({
    sdkAppId: 1400000000,
    identifier: 'administrator',
    secretKey: DEVELOPMENT_SECRET_KEY,
    baseUrl: 'https://chat.test',
    retry: { baseDelayMs: 1, maxDelayMs: 1, maxAttempts: 3 },
    fetch: async (input) => {
      urls.push(new URL(input instanceof Request ? input.url : String(input)));
      return answer(urls.length);
    },
  });
}
const ok = () => new Response(JSON.stringify({ ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '', GroupItem: [] }), { status: 200 });
const body = { From_Account: 'alice', GroupName: ['work'] as [string] };

describe('retryable HTTP statuses', () => {
  it("are the document's x-retryable-statuses", () => {
    expect([...RETRYABLE_HTTP_STATUSES].sort()).toEqual([...retryableHttpStatuses].sort());
  });

  it.each(retryableHttpStatuses.map((status) => [status]))('retries HTTP %i', async (status) => {
    const result = await stubbedClient((attempt) => (attempt === 1 ? new Response('', { status }) : ok())).delContactGroup(body);
    expect(result.attempts.map((attempt) => attempt.outcome.kind)).toEqual(['network', 'ok']);
  });

  it('does not retry a status the document does not list (500)', async () => {
    expect(retryableHttpStatuses).not.toContain(500);
    const result = await stubbedClient(() => new Response('', { status: 500 })).delContactGroup(body);
    expect(result.attempts).toHaveLength(1);
    expect(result.ok ? undefined : result.error).toMatchObject({ kind: 'network', status: 500, retryable: false });
  });
});

describe('signing parameters', () => {
  it('are sent under the names the document gives them, and nothing else is in the query', async () => {
    const urls: URL[] = [];
    await stubbedClient(ok, urls).delContactGroup(body);
    const [url] = urls;
    expect([...(url?.searchParams.keys() ?? [])].sort()).toEqual(Object.values(signingParameters).sort());
    expect(url?.searchParams.get(signingParameters.format)).toBe(requestFormat);
    expect(url?.searchParams.get(signingParameters.sdkAppId)).toBe('1400000000');
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.queryParameters) expect(Object.values(signingParameters)).toContain(parameter.name);
    }
  });
});

describe('set-up hints', () => {
  const setUps: SigningSetUp[] = [
    { sdkAppId: 1400000000, identifier: 'administrator', host: 'chat.test', region: undefined, credential: 'secret-key', reSigned: false },
    { sdkAppId: 1400000000, identifier: 'administrator', host: 'adminapisgp.im.qcloud.com', region: 'singapore', credential: 'provider', reSigned: true },
  ];
  const catalogue = Object.values(errorCodes) as ErrorCodeInfo[];

  it('exist exactly for the catalogue entries that carry a hint, with every placeholder filled', () => {
    for (const setUp of setUps) {
      for (const entry of catalogue) {
        const hint = signatureHint(entry.code, setUp);
        expect({ code: entry.code, hinted: hint !== undefined }).toEqual({ code: entry.code, hinted: entry.hint !== undefined });
        expect(hint ?? '').not.toMatch(/[{}]/);
      }
    }
    expect(catalogue.filter((entry) => entry.hint !== undefined).length).toBeGreaterThan(0);
  });

  it('take the variant for a UserSig provider and for after a re-sign from the catalogue', () => {
    const withVariants = catalogue.filter((entry) => entry.hint?.provider !== undefined || entry.hint?.afterReSign !== undefined);
    expect(withVariants.length).toBeGreaterThan(0);
    for (const entry of withVariants) {
      const base = { sdkAppId: 1, identifier: 'admin', host: 'h', region: undefined };
      if (entry.hint?.provider !== undefined) {
        expect(signatureHint(entry.code, { ...base, credential: 'provider', reSigned: false })).toBe(entry.hint.provider.replaceAll('{identifier}', 'admin').replaceAll('{sdkAppId}', '1').replaceAll('{credential}', 'the UserSig provider').replaceAll('{where}', "the base URL's host h"));
      }
      if (entry.hint?.afterReSign !== undefined) {
        expect(signatureHint(entry.code, { ...base, credential: 'secret-key', reSigned: true })).toBe(entry.hint.afterReSign.replaceAll('{identifier}', 'admin').replaceAll('{sdkAppId}', '1').replaceAll('{credential}', 'the secret key').replaceAll('{where}', "the base URL's host h"));
      }
    }
  });
});

describe('limits in --help', () => {
  async function help(command: string): Promise<string> {
    let stdout = '';
    await runInProcess([command, '--help'], { stdout: { write: (chunk: string) => (stdout += chunk) }, stderr: { write: () => true }, env: {} }, commands);
    return stdout.replace(/\s+/g, ' ');
  }
  const schema = operations.createContactGroup.requestSchema.properties.GroupContactItem.items.properties.GroupName;
  const delName = operations.delContactGroup.requestSchema.properties.GroupName.items;
  const markItems = operations.markContact.requestSchema.properties.MarkItem;
  const customMark = markItems.items.properties.CustomMark;
  const searchItems = operations.searchContactGroup.requestSchema.properties.ContactItem;

  it.each([
    ['create-group', `the new group name (GroupName), ${schema.minLength} to ${schema['x-max-bytes']} UTF-8 bytes`],
    ['delete-group', `the group name (GroupName), ${delName.minLength} to ${delName['x-max-bytes']} UTF-8 bytes`],
    ['mark', `every --contact (${markItems.minItems} to ${markItems.maxItems})`],
    ['mark', `the custom mark, at most ${customMark['x-max-bytes']} UTF-8 bytes`],
    ['search-groups', `Looks up ${searchItems.minItems} to ${searchItems.maxItems} conversations`],
  ])('%s says what the request schema allows: "%s"', async (command, text) => {
    expect(await help(command)).toContain(text);
  });
});
