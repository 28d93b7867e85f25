/** Every subcommand's handler, by the name `COMMANDS` (args.ts) gives it. */
import { BASIC_HANDLERS, type Ctx } from './commands';
import { dest } from './destCommands';
import { command, download, priority, verify } from './newJobCommands';
import { events, search, stats } from './queryCommands';

export const HANDLERS: Record<string, (ctx: Ctx) => Promise<number>> = {
  ...BASIC_HANDLERS,
  dest,
  download,
  command,
  verify,
  priority,
  search,
  stats,
  events,
};
