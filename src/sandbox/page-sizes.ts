/**
 * Page sizes of the paged operations. The vendor documents none, so the sandbox picks 100 for both (the order of
 * magnitude of the client SDKs' own conversation pages) and lets tests choose small ones to page through small data.
 */
import type { PageSizes } from './operations/handler.js';

export const DEFAULT_PAGE_SIZES: PageSizes = { getContactGroup: 100, getRecentContactList: 100 };

export const MAX_PAGE_SIZE = 10_000;

/** The defaults with the given overrides, each checked to be an integer from 1 to MAX_PAGE_SIZE. */
export function resolvePageSizes(overrides: Partial<PageSizes> = {}): PageSizes {
  const sizes = { ...DEFAULT_PAGE_SIZES, ...overrides };
  for (const [name, size] of Object.entries(sizes)) {
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw new RangeError(`the page size of ${name} must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(size)}`);
    }
  }
  return sizes;
}
