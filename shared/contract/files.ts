/** Local files: browsing places and folders, and sizing a folder before it is uploaded. */
import { z } from 'zod';
import type { DirectoryListing, FolderSummary, Place } from '../files';
import { command, localPath, noInput } from './define';

export const fileCommands = {
  /** Places to browse from: home, mounted volumes, the file system root. */
  listPlaces: command<Place[]>()(noInput),
  /** One local folder's entries (folders first). */
  listDirectory: command<DirectoryListing>()(z.strictObject({ path: localPath, showHidden: z.boolean().default(false) })),
  /** Files and bytes under a local folder (counted on request; capped for huge trees). */
  summarizeFolder: command<FolderSummary>()(z.strictObject({ path: localPath })),
} as const;
