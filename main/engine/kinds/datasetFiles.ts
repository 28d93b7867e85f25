/**
 * What an upload writes beside a dataset's files, and where each file goes at a destination:
 * the upload runner sends them, uploadedFiles finds them again to delete them.
 */
import type { UploadProtocol } from '../upload/protocol';
import type { UploadParams } from './uploadRunner';

export const MANIFEST_NAME = 'manifest-sha256.txt';
/** What the receiving side catalogues the dataset by: name, metadata, counts, the manifest's SHA-256. */
export const DATASET_FILE_NAME = 'dataset.json';
/** Files Ferry writes at the top of every dataset; a source file of the same place is refused. */
export const OWN_FILES: readonly string[] = [MANIFEST_NAME, DATASET_FILE_NAME];

/** The content of dataset.json: the same bytes for the same dataset, so a resumed send continues. */
export function datasetDescription(params: UploadParams, listed: { files: number; bytes: number }, manifestSha256: string): string {
  const m = params.metadata;
  return (
    JSON.stringify(
      {
        format: 'ferry-dataset/1',
        name: params.dataset,
        sensor: m.sensorType,
        metadata: { team: m.team, folder: m.folder, description: m.description, convert: m.convert, public: m.public },
        files: listed.files,
        bytes: listed.bytes,
        manifest: { name: MANIFEST_NAME, sha256: manifestSha256 },
      },
      null,
      2,
    ) + '\n'
  );
}

/** One line of manifest-sha256.txt as `sha256sum -c` reads it: a name with a backslash or a line break is escaped, and its line starts with a backslash. */
export function manifestLine(sha256: string, path: string): string {
  if (!/[\\\n]/.test(path)) return `${sha256}  ${path}\n`;
  return `\\${sha256}  ${path.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
}

/** Where a dataset file goes: the receiver files by dataset itself; elsewhere it is a folder. */
export function remotePath(protocol: UploadProtocol, params: UploadParams, relativePath: string): string {
  return protocol.kind === 'tus' ? relativePath : `${params.dataset}/${relativePath}`;
}

/** The metadata every file of the dataset is sent with. */
export function uploadMetadata(params: UploadParams): Record<string, string> {
  const m = params.metadata;
  return {
    dataset: params.dataset,
    sensorType: m.sensorType,
    convert: String(m.convert),
    public: String(m.public),
    ...(m.team ? { team: m.team } : {}),
    ...(m.folder ? { folder: m.folder } : {}),
    ...(m.description ? { description: m.description } : {}),
  };
}
