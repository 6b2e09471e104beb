import type { Command } from './command.js';
import { sandboxCommand } from './sandbox-command.js';
import { usersigCommand } from './usersig-command.js';

/** Add a subcommand by appending its module's export here; the dispatcher and help pick it up. */
export const commands: readonly Command[] = [usersigCommand, sandboxCommand];
