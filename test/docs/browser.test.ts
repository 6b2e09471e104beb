/**
 * The documentation page as a reader sees it: generated/docs/index.html opened in Chromium from a loopback server,
 * with every request to any other host refused, so the page must be complete on its own. It checks what the page
 * renders (not what the HTML contains): each operation of generated/operations.ts with its error codes and its curl
 * and TypeScript samples, the signing parameters, the regions, the error-code catalogue with retryability and the
 * section on the contract mock and the sandbox; at a laptop's 1280 px and at 1920 px, that no table is cut off and
 * the samples wrap in view; and it saves screenshots to docs/screenshots/.
 *
 * It drives Debian's chromium (or CHROMIUM_PATH) through playwright-core, which downloads nothing. A browser that
 * cannot start is a failure with instructions, never a skip: CI must not pass without having looked at the page.
 */
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { errorCodes } from '../../generated/error-codes.js';
import { operations, specVersion, type OperationId } from '../../generated/operations.js';
import { regions } from '../../generated/regions.js';
import { retryText } from '../../scripts/generate/docs/error-tables.js';
import { serveDocs, type DocsServer } from '../../scripts/dev/serve-docs.js';
import { REPO_ROOT } from '../support/pack.js';
import { setUpOrFail } from '../support/setup.js';

/** Where the screenshots go; the README names this folder. */
const SCREENSHOT_DIR = join(REPO_ROOT, 'docs/screenshots');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
/** No first-run work, no background traffic to Google, nothing that would reach the network on its own. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SIGNING_PARAMETERS = ['sdkappid', 'identifier', 'usersig', 'random', 'contenttype'];
const operationIds = Object.keys(operations) as OperationId[];

async function launch(): Promise<Browser> {
  const hint =
    `Install Debian's chromium (\`apt-get install -y chromium\`, which .ci/run does when it is missing) or set ` +
    `CHROMIUM_PATH to a Chromium binary. playwright-core downloads no browser.`;
  try {
    await access(CHROMIUM);
  } catch {
    throw new Error(`No Chromium at ${CHROMIUM}: the documentation page cannot be checked. ${hint}`);
  }
  try {
    return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (error) {
    throw new Error(`Chromium at ${CHROMIUM} did not start: ${(error as Error).message}\n${hint}`);
  }
}

/** The rows of every table under `scope`, as cell texts. */
async function tableRows(scope: Locator): Promise<string[][]> {
  return scope.locator('table tr').evaluateAll((rows) =>
    rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').replace(/\s+/g, ' ').trim())),
  );
}

/** The tables under `scope`, and their cells, whose content is wider than their box (cut off or scrolled sideways). */
async function clippedTableParts(scope: Locator): Promise<string[]> {
  return scope.locator('table').evaluateAll((tables) =>
    tables.flatMap((table) => {
      const box = table.parentElement ?? table;
      const parts = [box, ...table.querySelectorAll('th, td')];
      return parts
        .filter((part) => part.scrollWidth > part.clientWidth + 1)
        .map((part) => `${part.tagName.toLowerCase()} "${(part.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 60)}": ${part.scrollWidth} > ${part.clientWidth} px`);
    }),
  );
}

/** The introduction: the info block and one section per heading of its description (Redoc 3 splits them). */
function introduction(page: Page): Locator {
  return page.locator('[data-section-id="/"], [data-section-id^="/section/"]');
}

async function introductionText(page: Page): Promise<string> {
  return (await introduction(page).allInnerTexts()).join('\n');
}

/** The rendered section of an operation: Redoc 3 ids it `<tag>/<operationid>`, lower case. */
function operationSection(page: Page, operationId: string): Locator {
  return page.locator(`[data-section-id$="/${operationId.toLowerCase()}"]`).first();
}

/** Picks a sample language in the operation's sample panel and returns the sample's text. */
async function sampleIn(section: Locator, language: 'curl' | 'TypeScript'): Promise<string> {
  const toggle = section.locator('button').filter({ hasText: /^\s*(curl|TypeScript)\s*$/ }).first();
  await toggle.waitFor({ state: 'visible', timeout: 10_000 });
  if ((await toggle.innerText()).trim() !== language) {
    await toggle.click();
    // The menu opens in a layer outside the section: the visible item of that name is the one just opened.
    await section
      .page()
      .locator('[data-component-name="Dropdown/DropdownMenuItem"]')
      .filter({ hasText: new RegExp(`^\\s*${language}\\s*$`), visible: true })
      .first()
      .click({ timeout: 10_000 });
    await expect.poll(async () => (await toggle.innerText()).trim(), { timeout: 5_000 }).toBe(language);
  }
  const sources = await section.getByTestId('source-code').allInnerTexts();
  return sources.find((source) => (language === 'curl' ? source.includes('curl ') : source.includes('createChatGroupsClient'))) ?? '';
}

describe('the documentation page in a browser, offline', () => {
  let docs: DocsServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  /** Every request the page made to a host other than the loopback server (all refused). */
  const outside: string[] = [];
  const pageErrors: string[] = [];

  /** A page of the given width whose requests to any host but the docs server are refused and recorded. */
  async function openPage(width: number): Promise<Page> {
    const url = docs!.url;
    const context = await browser!.newContext({ viewport: { width, height: 900 }, serviceWorkers: 'block' });
    await context.route('**/*', (route) => {
      const requested = route.request().url();
      if (requested.startsWith(`${url}/`) || requested === url) return route.continue();
      outside.push(requested);
      return route.abort('blockedbyclient');
    });
    const opened = await context.newPage();
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    return opened;
  }

  /** The docs server's URL once the page is up; every test fails with the reason when it is not. */
  const ready = setUpOrFail(async () => {
    const server = await serveDocs({ port: 0 });
    docs = server;
    browser = await launch();
    page = await openPage(1400);
    await mkdir(SCREENSHOT_DIR, { recursive: true });
    await page.goto(`${server.url}/`, { waitUntil: 'load' });
    await page.locator('[data-section-id^="/section/"]').first().waitFor({ state: 'visible', timeout: 30_000 });
    return server.url;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await docs?.close();
  });

  it('renders with no request to another host and no script error', () => {
    ready();
    expect(outside, 'requests to other hosts (refused; the page must not need them)').toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('opens at the introduction with the title, the version and the signing parameters', { timeout: 60_000 }, async () => {
    const url = ready();
    await page.goto(`${url}/`, { waitUntil: 'load' });
    await page.locator('[data-section-id^="/section/"]').first().waitFor({ state: 'visible', timeout: 30_000 });
    const text = await introductionText(page);
    expect(await page.title()).toContain(specVersion);
    expect(text).toContain('Calling convention');
    for (const parameter of SIGNING_PARAMETERS) expect(text, `signing parameter ${parameter}`).toContain(parameter);
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'redoc.png') });
  });

  it('shows the error-code catalogue with each code, its meaning and its retryability', async () => {
    ready();
    const rows = await tableRows(introduction(page));
    const byCode = new Map(rows.filter((row) => /^\d+$/.test(row[0] ?? '')).map((row) => [Number(row[0]), row]));
    for (const entry of Object.values(errorCodes)) {
      const row = byCode.get(entry.code);
      expect(row, `error code ${entry.code} in the catalogue table`).toBeDefined();
      expect(row?.join(' | ')).toContain(entry.meaning.replace(/\s+/g, ' ').trim().slice(0, 40));
      expect(row, `retryability of ${entry.code}`).toContain(retryText(entry));
    }
  });

  it('shows every region with its URL and backup URL', async () => {
    ready();
    const rows = (await tableRows(introduction(page))).map((row) => row.join(' | '));
    for (const [name, region] of Object.entries(regions)) {
      const row = rows.find((candidate) => candidate.includes(region.url));
      expect(row, `region ${name}`).toBeDefined();
      expect(row).toContain(name);
      if (region.backupUrl) expect(row).toContain(region.backupUrl);
    }
  });

  it('explains the contract mock and the sandbox', async () => {
    ready();
    const text = await introductionText(page);
    expect(text).toContain('Testing against this contract');
    expect(text).toContain('Contract mock (Prism)');
    expect(text).toContain('@stoplight/prism-cli@');
    expect(text).toContain('Sandbox (chat-groups sandbox)');
    expect(text).toContain('npx chat-groups sandbox');
    const menu = await page.getByTestId('menu-item-label').allInnerTexts();
    expect(menu.map((label) => label.trim())).toEqual(expect.arrayContaining(['Testing against this contract', 'Contract mock (Prism)', 'Sandbox (chat-groups sandbox)']));
  });

  for (const operationId of operationIds) {
    it(`shows ${operationId}: its entry in the menu, its parameters, its error codes and its curl and TypeScript samples`, { timeout: 60_000 }, async () => {
      const url = ready();
      const operation = operations[operationId];
      // The deep link form other pages use; Redoc 3 maps it to its own route and opens the operation's page.
      await page.goto(`${url}/#operation/${operationId}`);
      const section = operationSection(page, operationId);
      await section.waitFor({ state: 'visible', timeout: 15_000 });
      const entry = page.getByTestId('menu-item-label').filter({ hasText: operation.summary }).first();
      await expect.poll(() => entry.isVisible(), { message: `${operationId} in the menu` }).toBe(true);
      const text = await section.innerText();
      expect(text).toContain(operation.summary);
      expect(text).toContain(operation.path);
      for (const parameter of operation.queryParameters) expect(text, `query parameter ${parameter.name}`).toContain(parameter.name);
      expect(text, 'the UserSig security scheme').toContain('UserSig');

      const rows = await tableRows(section);
      for (const code of operation.errorCodes) {
        const row = rows.find((candidate) => candidate[0] === String(code));
        expect(row, `${operationId}: error code ${code} in its table`).toBeDefined();
        const info = errorCodes[code as keyof typeof errorCodes];
        expect(row, `${operationId}: retryability of ${code}`).toContain(retryText(info));
      }

      const curl = await sampleIn(section, 'curl');
      expect(curl, `${operationId}: curl sample`).toContain('curl -X POST');
      expect(curl).toContain(operation.path);
      for (const parameter of SIGNING_PARAMETERS) expect(curl).toContain(`${parameter}=`);
      const typescript = await sampleIn(section, 'TypeScript');
      expect(typescript, `${operationId}: TypeScript sample`).toContain(`from 'tencent-chat-groups'`);
      expect(typescript).toContain(`chat.${operationId}(`);
      await page.screenshot({ path: join(SCREENSHOT_DIR, `redoc-${operationId}.png`) });
    });
  }

  for (const width of [1280, 1920]) {
    it(`fits a ${width} px wide screen: no table is cut off, the catalogue says "all" for a code of every operation, samples wrap in view`, { timeout: 60_000 }, async () => {
      const url = ready();
      const narrow = await openPage(width);
      try {
        await narrow.goto(`${url}/`, { waitUntil: 'load' });
        await narrow.locator('[data-section-id^="/section/"]').first().waitFor({ state: 'visible', timeout: 30_000 });
        const catalogue = introduction(narrow).locator('table').filter({ hasText: 'Operations' }).first();
        await catalogue.scrollIntoViewIfNeeded();
        await narrow.screenshot({ path: join(SCREENSHOT_DIR, `redoc-error-codes-${width}.png`) });
        expect(await clippedTableParts(introduction(narrow)), 'tables or cells wider than their box').toEqual([]);

        const [header = [], ...rows] = await tableRows(catalogue.locator('xpath=..'));
        const operationsColumn = header.indexOf('Operations');
        for (const entry of Object.values(errorCodes)) {
          if (entry.scope !== 'operation') continue;
          const listedBy = operationIds.filter((id) => (operations[id].errorCodes as readonly number[]).includes(entry.code));
          const cell = rows.find((row) => row[0] === String(entry.code))?.[operationsColumn];
          if (listedBy.length === operationIds.length) expect(cell, `operations of ${entry.code}`).toBe('all');
          else expect(cell?.split(', '), `operations of ${entry.code}`).toEqual(listedBy);
        }

        const operationId = operationIds[0]!;
        await narrow.goto(`${url}/#operation/${operationId}`);
        const section = operationSection(narrow, operationId);
        await section.waitFor({ state: 'visible', timeout: 15_000 });
        expect(await clippedTableParts(section), `${operationId}: tables or cells wider than their box`).toEqual([]);
        const curl = section.getByTestId('source-code').filter({ hasText: 'curl ' }).first();
        await curl.waitFor({ state: 'visible', timeout: 10_000 });
        const box = await curl.evaluate((element) => {
          const rect = element.getBoundingClientRect();
          return { right: rect.right, scrollWidth: element.scrollWidth, clientWidth: element.clientWidth };
        });
        expect(box.scrollWidth, 'the curl sample scrolls sideways').toBeLessThanOrEqual(box.clientWidth + 1);
        expect(box.right, 'the curl sample ends past the window').toBeLessThanOrEqual(width);
        await narrow.screenshot({ path: join(SCREENSHOT_DIR, `redoc-${operationId}-${width}.png`) });
      } finally {
        await narrow.context().close();
      }
    });
  }

  it('still made no request to another host after visiting every operation', () => {
    ready();
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('has a working guard: a request to another host is refused and recorded', async () => {
    ready();
    const probe = 'https://example.com/offline-check';
    const answer = await page.evaluate((url) => fetch(url).then(() => 'answered', () => 'refused'), probe);
    expect(answer).toBe('refused');
    expect(outside).toEqual([probe]);
  });
});
