/**
 * The web host's access token. It arrives once in the page URL (`?token=`), is kept for the tab's
 * life in sessionStorage and removed from the address bar so screenshots and bookmarks do not leak it.
 */
const STORAGE_KEY = 'ferry.token';
const PARAM = 'token';

function readStored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: the token then lives only as long as this page
  }
}

function store(token: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, token);
  } catch {
    // See readStored: nothing else to do.
  }
}

let current: string | null | undefined;

/** Takes the token from the URL (once) or from the tab's session; null when there is none. */
export function takeToken(): string | null {
  if (current !== undefined) return current;
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get(PARAM);
  if (fromUrl) {
    store(fromUrl);
    url.searchParams.delete(PARAM);
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  current = fromUrl || readStored();
  return current;
}
