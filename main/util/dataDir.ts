import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/** Where Ferry keeps its database and job logs when no data directory is given. */
export function defaultDataDir(): string {
  if (process.env.FERRY_DATA_DIR) return process.env.FERRY_DATA_DIR;
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'Ferry');
    case 'win32':
      return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Ferry');
    default:
      return join(process.env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'Ferry');
  }
}
