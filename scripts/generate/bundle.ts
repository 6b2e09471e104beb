/** Bundles the multi-file document in openapi/ into one object with Redocly CLI (the same bundler `redocly lint` uses). */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { OpenApiDocument } from './openapi-document.js';
import { REPO_ROOT } from '../repo-root.js';

export const redoclyBin = join(REPO_ROOT, 'node_modules/.bin/redocly');

/** Redocly posts telemetry and checks for updates unless told not to; neither may happen from our scripts. */
export const quietRedoclyEnv = {
  ...process.env,
  REDOCLY_TELEMETRY: 'off',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
};

export async function bundleSpec(rootFile: string): Promise<OpenApiDocument> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-groups-bundle-'));
  try {
    const out = join(dir, 'openapi.json');
    await promisify(execFile)(redoclyBin, ['bundle', rootFile, '--ext', 'json', '-o', out], {
      cwd: REPO_ROOT,
      env: quietRedoclyEnv,
    });
    return JSON.parse(await readFile(out, 'utf8')) as OpenApiDocument;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
