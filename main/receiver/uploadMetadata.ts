import { invalidInput } from '../../shared/errors';
import { INCOMING_DIR, reservedNameProblem } from '../../shared/storedPath';
import { safeRelativePath } from './safePath';

/** Directory under the storage dir where partial uploads live; no dataset may claim its name. */
export { INCOMING_DIR };

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/** Where a finished upload is filed, and what it must hash to. */
export interface FilingTarget {
  /** Path segments of `<dataset>/<relativePath>` under the storage dir. */
  segments: string[];
  /** The same path joined with "/", for messages and response headers. */
  relative: string;
  /** Lowercase hex SHA-256 the client announced for the whole file, when it did. */
  sha256?: string;
}

type TusMetadata = Record<string, string | null> | undefined;

/**
 * Reads the Ferry keys of a tus Upload-Metadata record (`dataset`, `relativePath`, falling back to
 * `filename`, and `sha256`). Called at creation, to refuse a bad upload before any byte is sent,
 * and again at finish, so both use the same rules. Throws FerryError('INVALID_INPUT').
 */
export function filingTarget(metadata: TusMetadata): FilingTarget {
  const meta = metadata ?? {};
  // Plain tus clients send only `filename`; accept it so they can still use the receiver.
  const relativePath = meta.relativePath ?? meta.filename;
  if (relativePath == null) {
    throw invalidInput('Upload-Metadata: "relativePath" (or "filename") is required');
  }
  const fileSegments = safeRelativePath(relativePath, 'Upload-Metadata relativePath');
  const datasetSegments = meta.dataset == null ? [] : safeRelativePath(meta.dataset, 'Upload-Metadata dataset');
  const segments = [...datasetSegments, ...fileSegments];
  const reserved = reservedNameProblem(segments[0] ?? '');
  if (reserved) throw invalidInput(`Upload-Metadata: "${segments[0]}" ${reserved}`);

  const target: FilingTarget = { segments, relative: segments.join('/') };
  const sha = meta.sha256;
  if (sha != null) {
    if (!SHA256_HEX.test(sha)) throw invalidInput('Upload-Metadata sha256: must be 64 hex digits');
    target.sha256 = sha.toLowerCase();
  }
  return target;
}
