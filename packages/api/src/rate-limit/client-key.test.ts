import { describe, expect, it } from "vitest";

import { clientKey } from "./client-key";

describe("clientKey", () => {
  it("keeps IPv4 addresses whole, mapped or not", () => {
    expect(clientKey("203.0.113.7")).toBe("203.0.113.7");
    expect(clientKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("counts an IPv6 client by its /64", () => {
    expect(clientKey("2001:db8:1:2:aaaa::1")).toBe("2001:0db8:0001:0002::/64");
    expect(clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(clientKey("2001:db8:1:2::9"));
    expect(clientKey("2001:db8:1:3::1")).not.toBe(clientKey("2001:db8:1:2::1"));
    expect(clientKey("2001:DB8::1")).toBe("2001:0db8:0000:0000::/64");
    expect(clientKey("::1")).toBe("0000:0000:0000:0000::/64");
  });

  it("puts requests without an address in one bucket", () => {
    expect(clientKey(null)).toBe("unknown");
    expect(clientKey("")).toBe("unknown");
  });
});
