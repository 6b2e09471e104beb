/**
 * The page's prose, kept in Markdown files beside the document (`openapi/descriptions/`) rather than in code. The
 * introduction and the tag descriptions reach the page through the document itself (`$ref` to a `.md` file); the
 * sections below are the page's own, added around the tables it builds. `stand-ins.md` is also the part of
 * docs/contract-testing.md between its `stand-ins` markers, which `npm run generate` keeps the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceMarkedSection } from '../../marked-sections.js';
import { REPO_ROOT } from '../../repo-root.js';

export const DESCRIPTIONS_DIR = join(REPO_ROOT, 'openapi/descriptions');

/** The file's text without its trailing blank lines. */
function readDescription(file: string): string {
  return readFileSync(join(DESCRIPTIONS_DIR, file), 'utf8').replace(/\s+$/, '');
}

/** What the error-code catalogue's columns mean, written above the table. */
export function errorCodesIntro(): string {
  return readDescription('page/error-codes.md');
}

/** The "Regions" heading and what a reader needs to know to pick a region, written above the table. */
export function regionsIntro(): string {
  return readDescription('page/regions.md');
}

/** The "Testing against this contract" section: the package and its two stand-ins (contract mock, sandbox). */
export function testingSection(): string {
  return `${readDescription('page/testing-against-the-contract.md')}\n\n${readDescription('stand-ins.md')}`;
}

/** The user guide that shares its text on the stand-ins with the page. */
export const CONTRACT_TESTING_GUIDE = 'docs/contract-testing.md';

/** `guide` (the text of docs/contract-testing.md) with its `stand-ins` section as in `openapi/descriptions/`. */
export function contractTestingGuide(guide: string): string {
  return replaceMarkedSection(guide, 'stand-ins', readDescription('stand-ins.md'), CONTRACT_TESTING_GUIDE);
}
