/**
 * A small run of the sandbox fuzzer (scripts/bench/fuzz-sandbox.ts; `npm run fuzz:sandbox` runs 2,000 requests): valid,
 * invalid and hostile requests over HTTP, with no 5xx, no error inside the sandbox, every request answered or closed,
 * and memory that stays put.
 */
import { describe, expect, it } from 'vitest';
import { formatReport, runSandboxFuzz } from '../../scripts/bench/fuzz-sandbox.js';

describe('the sandbox under schema-driven fuzzing', () => {
  it('answers or closes every one of 300 valid, invalid and hostile requests, never with a 5xx, and keeps its memory', { timeout: 120_000 }, async () => {
    const report = await runSandboxFuzz({ seed: 20_261_207, requests: 300 });
    const text = formatReport(report);
    expect(report.failures, text).toEqual([]);
    expect(Object.values(report.outcomes).reduce((sum, count) => sum + count, 0)).toBe(300);
    expect(report.outcomes['unanswered'], text).toBeUndefined();
    // Every generator ran: valid and invalid bodies and the hostile kinds.
    for (const kind of ['valid', 'invalid', 'deep-nesting', 'invalid-utf8', 'slow-body', 'huge-content-length', 'prototype-keys']) {
      expect(report.kinds[kind], `${kind}\n${text}`).toBeGreaterThan(0);
    }
    expect(report.outcomes['200 ErrorCode 0'], text).toBeGreaterThan(0);
    // Huge bodies went through; what stays on the heap after a GC is far below what was sent.
    expect(report.atEnd.heapUsedBytes - report.afterWarmUp.heapUsedBytes, text).toBeLessThan(32 * 1024 * 1024);
  });
});
