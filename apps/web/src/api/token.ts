const STORAGE_KEY = 'jointflow.token';

/**
 * Takes the token from `#token=...` (as printed by `jointflow up`), stores it and strips it from
 * the address bar, so it is neither bookmarked nor shown. Returns the stored token, if any.
 */
export function adoptTokenFromUrl(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (match?.[1]) {
    saveToken(decodeURIComponent(match[1]));
    const url = new URL(window.location.href);
    url.hash = '#/';
    window.history.replaceState(null, '', url.toString());
  }
  return loadToken();
}

export function loadToken(): string | null {
  return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
}

export function saveToken(token: string): void {
  globalThis.localStorage.setItem(STORAGE_KEY, token.trim());
}

export function clearToken(): void {
  globalThis.localStorage.removeItem(STORAGE_KEY);
}
