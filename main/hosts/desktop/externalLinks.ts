/**
 * Which links the desktop app hands to the user's browser. shell.openExternal passes a URL to the
 * OS, which may start any registered handler, so only https links to the hosts Ferry itself links
 * to are opened; everything else is refused. The rule is tested in Node.
 */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'www.github.com'];

export function isAllowedExternal(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && EXTERNAL_HOSTS.includes(url.hostname);
}
