/** The repository's root directory, for the scripts that read or write files of the project (generated/, docs/...). */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
