import type { Command } from './command.js';
import { operationCommands } from './operations/commands.js';
import { sandboxCommand } from './sandbox-command.js';
import { usersigCommand } from './usersig-command.js';
import { verifyCommand } from './verify-command.js';

/**
 * Every subcommand: the tools, then one per operation of the spec (see operations/commands.ts, whose table is
 * operations/table.ts). Add a tool by appending its module's export here; the dispatcher and help pick it up.
 */
export const commands: readonly Command[] = [usersigCommand, sandboxCommand, verifyCommand, ...operationCommands()];
