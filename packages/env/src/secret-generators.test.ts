import { createPrivateKey } from "node:crypto";

import { describe, expect, it } from "vitest";

import { missingSecretLines } from "./secret-generators";

describe("missingSecretLines", () => {
  it("generates each secret a .env lacks, in the form its schema takes", () => {
    const lines = missingSecretLines("PORT=3000\n");
    const byName = Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    expect(Object.keys(byName).sort()).toEqual([
      "JWT_SIGNING_KEYS",
      "TOKEN_ENCRYPTION_KEYS",
      "TOKEN_SECRET",
    ]);
    const jwks = JSON.parse(byName.JWT_SIGNING_KEYS!.slice(1, -1)) as { kid: string; d: string }[];
    expect(jwks[0]?.kid).toBe("dev-1");
    expect(() => createPrivateKey({ key: jwks[0] as never, format: "jwk" })).not.toThrow();
    expect(byName.TOKEN_SECRET!.length).toBeGreaterThanOrEqual(32);
    expect(Buffer.from(byName.TOKEN_ENCRYPTION_KEYS!.split(":")[1]!, "base64")).toHaveLength(32);
  });

  it("leaves alone what is there, commented-out lines aside", () => {
    const lines = missingSecretLines("TOKEN_SECRET=mine\n# JWT_SIGNING_KEYS=\n");
    expect(lines.map((l) => l.split("=")[0])).toEqual([
      "JWT_SIGNING_KEYS",
      "TOKEN_ENCRYPTION_KEYS",
    ]);
    expect(missingSecretLines(lines.join("\n") + "\nTOKEN_SECRET=x\n")).toEqual([]);
  });

  it("makes different secrets each time", () => {
    expect(missingSecretLines("")).not.toEqual(missingSecretLines(""));
  });
});
