import { relativePathProblem } from '../../../shared/storedPath';

/**
 * Reads `manifest-sha256.txt` as `sha256sum -c` does (the format datasetFiles.ts `manifestLine`
 * writes): `<sha256>  <path>`, and a line starting with a backslash for a name whose backslashes
 * and line breaks are escaped. The text comes from a destination, so it is untrusted: lines that are
 * not of this form, and paths that would leave the dataset (`..`, absolute), are passed over.
 */
export function parseManifest(text: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of text.split('\n')) {
    const escaped = line.startsWith('\\');
    const body = escaped ? line.slice(1) : line;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(body);
    if (!m) continue;
    const path = escaped ? m[2]!.replace(/\\(\\|n)/g, (_, c: string) => (c === 'n' ? '\n' : '\\')) : m[2]!;
    if (relativePathProblem(path) === undefined) files.set(path, m[1]!.toLowerCase());
  }
  return files;
}
