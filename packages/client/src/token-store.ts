/** The two tokens a sign-in yields; the client keeps them in a `TokenStore`. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

/**
 * Where the client keeps the signed-in user's tokens. Synchronous on purpose: the client
 * reads it on every request and must see a refresh's result at once.
 */
export interface TokenStore {
  get(): TokenPair | null;
  set(pair: TokenPair): void;
  clear(): void;
}

/** Tokens for the life of the page (or process): nothing survives a reload. */
export function memoryTokenStore(initial: TokenPair | null = null): TokenStore {
  let pair = initial;
  return {
    get: () => pair,
    // A copy, so a caller that mutates the object it passed cannot change what is stored.
    set: (next) => {
      pair = { accessToken: next.accessToken, refreshToken: next.refreshToken };
    },
    clear: () => {
      pair = null;
    },
  };
}

/** The part of the Web Storage API the adapter needs: `localStorage`, `sessionStorage`, a fake. */
export interface WebStorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const DEFAULT_TOKEN_STORAGE_KEY = "lifeline.tokens";

function parsePair(raw: string | null): TokenPair | null {
  if (raw === null) return null;
  try {
    const value: unknown = JSON.parse(raw);
    if (
      typeof value === "object" &&
      value !== null &&
      "accessToken" in value &&
      "refreshToken" in value &&
      typeof value.accessToken === "string" &&
      typeof value.refreshToken === "string"
    ) {
      return { accessToken: value.accessToken, refreshToken: value.refreshToken };
    }
  } catch {
    // Fall through: whatever is under the key is not ours to trust.
  }
  return null;
}

/**
 * Keeps the pair as JSON under one key of a Web Storage-like object, e.g.
 * `webStorageTokenStore(window.localStorage)`. A missing or corrupt entry reads as signed
 * out rather than throwing, so a bad value never bricks the app.
 */
export function webStorageTokenStore(
  storage: WebStorageLike,
  options: { key?: string } = {},
): TokenStore {
  const key = options.key ?? DEFAULT_TOKEN_STORAGE_KEY;
  return {
    get: () => parsePair(storage.getItem(key)),
    set: (pair) => {
      storage.setItem(
        key,
        JSON.stringify({ accessToken: pair.accessToken, refreshToken: pair.refreshToken }),
      );
    },
    clear: () => {
      storage.removeItem(key);
    },
  };
}
