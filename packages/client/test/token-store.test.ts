import { describe, expect, it } from "vitest";

import {
  DEFAULT_TOKEN_STORAGE_KEY,
  memoryTokenStore,
  resolveTrpcUrl,
  webStorageTokenStore,
  type WebStorageLike,
} from "../src";

function fakeStorage(): WebStorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

const PAIR = { accessToken: "a", refreshToken: "r" };

describe("memoryTokenStore", () => {
  it("starts empty (or with the given pair), stores a copy, clears", () => {
    expect(memoryTokenStore().get()).toBeNull();
    const store = memoryTokenStore(PAIR);
    expect(store.get()).toEqual(PAIR);
    const next = { accessToken: "a2", refreshToken: "r2" };
    store.set(next);
    next.accessToken = "mutated";
    expect(store.get()).toEqual({ accessToken: "a2", refreshToken: "r2" });
    store.clear();
    expect(store.get()).toBeNull();
  });
});

describe("webStorageTokenStore", () => {
  it("round-trips the pair as JSON under its key and removes it on clear", () => {
    const storage = fakeStorage();
    const store = webStorageTokenStore(storage);
    expect(store.get()).toBeNull();
    store.set({ ...PAIR, ...{ extra: "dropped" } });
    expect(JSON.parse(storage.items.get(DEFAULT_TOKEN_STORAGE_KEY) ?? "")).toEqual(PAIR);
    expect(store.get()).toEqual(PAIR);
    store.clear();
    expect(storage.items.has(DEFAULT_TOKEN_STORAGE_KEY)).toBe(false);
  });

  it("uses a custom key, and reads corrupt or foreign values as signed out", () => {
    const storage = fakeStorage();
    const store = webStorageTokenStore(storage, { key: "k" });
    for (const raw of ["not json", "null", "{}", '{"accessToken":1,"refreshToken":"r"}']) {
      storage.items.set("k", raw);
      expect(store.get()).toBeNull();
    }
  });
});

describe("resolveTrpcUrl", () => {
  it("accepts the base URL or the /trpc endpoint", () => {
    expect(resolveTrpcUrl("http://localhost:3000")).toBe("http://localhost:3000/trpc");
    expect(resolveTrpcUrl("http://localhost:3000/")).toBe("http://localhost:3000/trpc");
    expect(resolveTrpcUrl("http://localhost:3000/trpc")).toBe("http://localhost:3000/trpc");
    expect(resolveTrpcUrl("http://localhost:3000/trpc/")).toBe("http://localhost:3000/trpc");
    expect(resolveTrpcUrl(new URL("https://api.example.com/v1/"))).toBe(
      "https://api.example.com/v1/trpc",
    );
    expect(resolveTrpcUrl("/api")).toBe("/api/trpc");
  });
});
