/** The "Regions" section of the introduction: the regions' table under the prose of openapi/descriptions/. */
import type { ServerEntry } from '../openapi-document.js';
import { table } from './markdown.js';
import { regionsIntro } from './prose.js';

/** The "Regions" section: each server with its description, URL, backup URL and note. */
export function regionsSection(servers: ServerEntry[]): string {
  const code = (text: string | undefined): string => (text ? `\`${text}\`` : '—');
  return [
    regionsIntro(),
    ``,
    table(
      ['Region', '`region`', 'URL', 'Backup URL', 'Note'],
      servers.map((server) => [
        server.description,
        code(server['x-region']),
        code(server.url),
        server['x-backup-url'] === undefined ? 'none listed by the vendor' : code(server['x-backup-url']),
        server['x-note'] ?? '',
      ]),
    ),
  ].join('\n');
}

