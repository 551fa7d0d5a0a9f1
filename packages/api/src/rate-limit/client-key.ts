import { isIPv4, isIPv6 } from "node:net";

/**
 * Who a rate limit counts: the client's address, where an IPv6 client is its /64 (one
 * subscriber gets a whole /64, so counting single addresses would let it rotate through
 * 2^64 of them). IPv4-mapped IPv6 addresses count as the IPv4 address. Requests without a
 * known address share one bucket rather than escaping the limits.
 */
export function clientKey(ip: string | null): string {
  if (!ip) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(ip)) return ip;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, as 4-digit lower-case hex. */
function expandIPv6(ip: string): string[] {
  const [head = "", tail] = ip.toLowerCase().split("%")[0]?.split("::") ?? [];
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  const all = tail === undefined ? left : [...left, ...Array<string>(missing).fill("0"), ...right];
  return all.map((group) => group.padStart(4, "0"));
}
