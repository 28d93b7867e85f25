import { automationCommands } from './automationCommands';
import { destinationCommands } from './destinationCommands';
import type { CommandHandlers, EngineServices } from './engineServices';
import { fileCommands } from './fileCommands';
import { jobCommands } from './jobCommands';
import { s3DownloadCommands } from './s3DownloadCommands';
import { settingsCommands } from './settingsCommands';
import { transferCommands } from './transferCommands';
import { watchCommands } from './watchCommands';

/** Every command of the contract, one module per domain, each given only the services it uses. */
export function buildCommands(services: EngineServices): CommandHandlers {
  return {
    ...jobCommands(services),
    ...transferCommands(services),
    ...destinationCommands(services),
    ...fileCommands(services),
    ...settingsCommands(services),
    ...watchCommands(services),
    ...automationCommands(services),
    ...s3DownloadCommands(services),
  };
}
