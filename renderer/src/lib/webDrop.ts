/**
 * Files a browser hands over (a drop or a file input) with their paths inside what was dropped.
 * Folders are walked through `webkitGetAsEntry()`; the entries must be taken while the drop event
 * is being dispatched, so `collectDropped` reads them synchronously before any await.
 */

export interface DroppedFile {
  file: File;
  /** `name` for a dropped file; `folder/sub/name` for a file inside a dropped folder. */
  relativePath: string;
}

export interface DroppedSet {
  files: DroppedFile[];
  /** The names of what was dropped (files and folders), unique. */
  topLevel: string[];
  bytes: number;
}

type Source = { entry: FileSystemEntry } | { file: File };

/** Takes what a drop carries right away (DataTransfer items die with the event). */
export function takeDropSources(dt: DataTransfer): Source[] {
  const sources: Source[] = [];
  const items = Array.from(dt.items ?? []).filter((item) => item.kind === 'file');
  for (const item of items) {
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    if (entry) sources.push({ entry });
    else {
      const file = item.getAsFile();
      if (file) sources.push({ file });
    }
  }
  if (sources.length === 0) for (const file of Array.from(dt.files ?? [])) sources.push({ file });
  return sources;
}

const readBatch = (reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> =>
  new Promise((resolve, reject) => reader.readEntries(resolve, reject));
const fileOf = (entry: FileSystemFileEntry): Promise<File> => new Promise((resolve, reject) => entry.file(resolve, reject));

async function walk(entry: FileSystemEntry, prefix: string, out: DroppedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    out.push({ file: await fileOf(entry as FileSystemFileEntry), relativePath: path });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries answers in batches (100 in Chromium) until it answers none.
  for (let batch = await readBatch(reader); batch.length > 0; batch = await readBatch(reader)) {
    for (const child of batch) await walk(child, path, out);
  }
}

/** Unique top-level names: a second "data" becomes "data (2)". */
function uniqueName(name: string, taken: Set<string>): string {
  if (!taken.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const candidate = `${stem} (${n})${ext}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export async function collectDropped(sources: Source[]): Promise<DroppedSet> {
  const files: DroppedFile[] = [];
  const topLevel: string[] = [];
  const taken = new Set<string>();
  for (const source of sources) {
    const found: DroppedFile[] = [];
    const originalName = 'entry' in source ? source.entry.name : source.file.name;
    if ('entry' in source) await walk(source.entry, '', found);
    else found.push({ file: source.file, relativePath: source.file.name });
    const name = uniqueName(originalName, taken);
    taken.add(name);
    topLevel.push(name);
    for (const f of found) files.push(name === originalName ? f : { file: f.file, relativePath: name + f.relativePath.slice(originalName.length) });
  }
  return { files, topLevel, bytes: files.reduce((sum, f) => sum + f.file.size, 0) };
}

/** A file input's choice; a folder input gives `webkitRelativePath` (`folder/sub/name`). */
export function collectInput(list: FileList): DroppedSet {
  const files: DroppedFile[] = Array.from(list).map((file) => ({ file, relativePath: file.webkitRelativePath || file.name }));
  const topLevel = [...new Set(files.map((f) => f.relativePath.split('/')[0] as string))];
  return { files, topLevel, bytes: files.reduce((sum, f) => sum + f.file.size, 0) };
}

/** What was dropped carries files (not text or a link). */
export const carriesFiles = (dt: DataTransfer | null): boolean => !!dt && Array.from(dt.types ?? []).includes('Files');
