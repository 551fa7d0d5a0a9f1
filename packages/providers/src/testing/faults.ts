/**
 * What a fault does to the request it catches. The semantic kinds (`rate_limit`,
 * `server_error`) are rendered by each emulator in its provider's real error shape.
 */
export type FaultResponse =
  /** The provider's throttling answer (429 with Retry-After, X's reset header, Meta's codes…). */
  | { type: "rate_limit"; retryAfterSeconds?: number }
  /** The provider's 5xx. */
  | { type: "server_error"; status?: number }
  /** A 200 whose body is not JSON. */
  | { type: "malformed_json" }
  /** The connection fails (fetch rejects). */
  | { type: "network" }
  /** Anything else, verbatim: e.g. a token endpoint's 400 with a chosen body. */
  | { type: "status"; status: number; body?: unknown; headers?: Record<string, string> };

export interface FaultRule {
  /** Matches the path below the emulator's base: a substring, or a regular expression. */
  path?: string | RegExp;
  method?: string;
  /** Let this many matching requests through first ("on the third request"). */
  skip?: number;
  /** How many requests it catches; default 1. Infinity for "until cleared". */
  times?: number;
  response: FaultResponse;
}

interface ActiveRule extends FaultRule {
  skipped: number;
  used: number;
}

/** One-shot or repeated faults, matched in the order they were added. */
export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): this {
    this.rules.push({ ...rule, skipped: 0, used: 0 });
    return this;
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if one applies (and counts it). */
  take(method: string, path: string): FaultResponse | undefined {
    for (const rule of this.rules) {
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (rule.path !== undefined) {
        const hit = typeof rule.path === "string" ? path.includes(rule.path) : rule.path.test(path);
        if (!hit) continue;
      }
      if (rule.used >= (rule.times ?? 1)) continue;
      if (rule.skipped < (rule.skip ?? 0)) {
        rule.skipped++;
        continue;
      }
      rule.used++;
      return rule.response;
    }
    return undefined;
  }
}
