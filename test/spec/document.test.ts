import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { quietRedoclyEnv, redoclyBin } from '../../scripts/generate/bundle.js';
import { findStaleFiles, generateAll, type GeneratedFile } from '../../scripts/generate/generate.js';
import { errorCodes, operationErrorCodes } from '../../generated/error-codes.js';
import { operations, specVersion } from '../../generated/operations.js';
import { regions } from '../../generated/regions.js';
import { doc } from '../support/spec-document.js';

const run = promisify(execFile);

describe('the OpenAPI document', () => {
  it('passes redocly lint with no error and no warning', async () => {
    const { stdout } = await run(redoclyBin, ['lint', '--format=json'], { env: quietRedoclyEnv }).catch(
      (failure: { stdout: string }) => failure,
    );
    const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('has the same version as the package, so consumers can tell which document they hold', async () => {
    const manifest = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(specVersion).toBe(manifest.version);
  });

  it('documents every region domain of the vendor page, with a backup domain only where a registered vendor page lists one', () => {
    const seedDomains = {
      china: 'console.tim.qq.com',
      singapore: 'adminapisgp.im.qcloud.com',
      seoul: 'adminapikr.im.qcloud.com',
      tokyo: 'adminapijpn.im.qcloud.com',
      frankfurt: 'adminapiger.im.qcloud.com',
      'silicon-valley': 'adminapiusa.im.qcloud.com',
      jakarta: 'adminapiidn.im.qcloud.com',
    } as const;
    for (const [name, domain] of Object.entries(seedDomains)) {
      const region = regions[name as keyof typeof regions];
      expect(region.url).toBe(`https://${domain}`);
    }
    expect(Object.keys(regions)).toEqual(expect.arrayContaining(['mumbai', 'riyadh']));
    const pages = (doc.components as unknown as Record<string, Record<string, unknown> | undefined>)['x-vendor-pages'] ?? {};
    for (const [name, region] of Object.entries(regions)) {
      if (name === 'tokyo' || name === 'riyadh') {
        expect({ name, backupUrl: region.backupUrl, backupVendorPages: region.backupVendorPages }).toEqual({ name, backupUrl: null, backupVendorPages: [] });
        expect(region.note).toMatch(/No vendor page lists a backup domain/);
        continue;
      }
      expect(region.backupUrl).toMatch(/^https:\/\/adminapi[a-z]*\.my-imcloud\.com$/);
      expect(region.backupVendorPages.length).toBeGreaterThan(0);
      for (const id of region.backupVendorPages) expect(Object.keys(pages)).toContain(id);
    }
  });

  it('lists in the catalogue every code the vendor page documents for del_contact_group', () => {
    const seedCodes = [50001, 50002, 50003, 50004, 50005, 51009, 51011, 51013];
    expect([...operationErrorCodes.delContactGroup]).toEqual(seedCodes);
    for (const code of seedCodes) expect(errorCodes[code as keyof typeof errorCodes].scope).toBe('operation');
  });

  it('marks exactly the transient codes as retryable', () => {
    const retryable = Object.values(errorCodes)
      .filter((entry) => entry.retryable)
      .map((entry) => entry.code);
    expect(retryable).toEqual([50004, 50005, 60007, 60008, 60011, 60013, 60014, 60018, 60019, 70050, 70114, 70169, 70202, 70500]);
    expect(errorCodes[70001].strategy).toBe('re-sign-once');
    for (const entry of Object.values(errorCodes)) {
      if (entry.scope === 'public') expect(entry.code >= 60000 && entry.code <= 79999).toBe(true);
    }
  });

  it('records the documented limits of del_contact_group where the code reads them', () => {
    const operation = operations.delContactGroup;
    expect(operation.rateLimit).toEqual({ calls: 200, perSeconds: 1 });
    expect(operation.requestSchema.properties.GroupName).toMatchObject({ minItems: 1, maxItems: 1 });
    expect(operation.requestSchema.properties.GroupName.items).toMatchObject({ 'x-max-bytes': 64, 'x-max-bytes-error-code': 51011 });
  });
});

describe('generated/', () => {
  let files: GeneratedFile[] = [];
  beforeAll(async () => {
    files = await generateAll();
  });

  it('is what `npm run generate` produces from openapi/ now (fails when stale)', async () => {
    expect(await findStaleFiles(files)).toEqual([]);
  });

  it('heads every file with "generated, do not edit" and the spec version', () => {
    for (const file of files) {
      const head = file.content.slice(0, 400);
      expect(head, file.path).toContain('do not edit');
      expect(head, file.path).toContain(`spec version ${specVersion}`);
    }
  });
});
