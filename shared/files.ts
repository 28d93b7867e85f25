/** Local file browsing, as the renderer sees it. */
export interface Place {
  name: string;
  path: string;
  kind: 'home' | 'volume' | 'root';
}

export interface DirectoryEntry {
  name: string;
  path: string;
  kind: 'folder' | 'file' | 'link' | 'other';
  /** Bytes for files; folders are summarized on request. */
  size: number | null;
  mtimeMs: number | null;
  hidden: boolean;
  readable: boolean;
}

export interface DirectoryListing {
  path: string;
  name: string;
  parent: string | null;
  entries: DirectoryEntry[];
}

export interface FolderSummary {
  path: string;
  files: number;
  bytes: number;
  /** Counting stopped at the cap; the figures are a lower bound. */
  truncated: boolean;
}

/** What a set of dropped or picked paths amounts to, before an upload is created. */
export interface UploadPreview {
  files: number;
  bytes: number;
  /** The first files, for the sheet. */
  sample: { relativePath: string; size: number }[];
  skipped: { path: string; reason: string }[];
  suggestedName: string;
  truncated: boolean;
}
