/** A random secret (32 bytes, hex) from the browser's CSPRNG: webhook signing keys, access tokens. */
export function randomSecret(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
