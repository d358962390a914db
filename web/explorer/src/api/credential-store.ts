const KEY = 'kqlgate.explorer.credential';

/**
 * The caller's token or API key, kept in sessionStorage: it survives a reload of the tab and is gone when the tab
 * closes, and other tabs or sites never see it (never localStorage, never a cookie).
 */
export const credentialStore = {
  read(): string {
    return sessionStorage.getItem(KEY) ?? '';
  },
  write(credential: string): void {
    if (credential === '') {
      sessionStorage.removeItem(KEY);
    } else {
      sessionStorage.setItem(KEY, credential);
    }
  },
};

/** API keys (`kqg_<id>_<hex>`) go in X-API-Key, anything else is a bearer token, as the gateway expects. */
export function credentialHeaders(credential: string): Record<string, string> {
  const value = credential.trim();
  if (value === '') {
    return {};
  }
  return value.startsWith('kqg_') ? { 'x-api-key': value } : { authorization: `Bearer ${value}` };
}
