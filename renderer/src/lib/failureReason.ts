/**
 * A failed file's reason as the failed-files list shows it, beside the file's name: the engine's
 * message without its operation prefix (`read(/path/to/file): `, `upload(a.tif): `), which only
 * repeats the file, and starting with a capital. The whole message stays in the tooltip.
 */
export function failureReason(error: string): string {
  const prefix = /^[a-zA-Z][\w.]*\((?:[^()]|\([^()]*\))*\):\s+/.exec(error);
  const rest = prefix ? error.slice(prefix[0].length) : error;
  return rest ? rest.charAt(0).toUpperCase() + rest.slice(1) : error;
}
