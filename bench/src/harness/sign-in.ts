import { randomBytes } from "node:crypto";

export interface Credentials {
  email: string;
  password: string;
}

/** A new, unique user's credentials (the password is long enough for any policy). */
export function newCredentials(label = "bench"): Credentials {
  return {
    email: `${label}-${randomBytes(6).toString("hex")}@example.com`,
    password: "bench-password-0123",
  };
}

/** Creates the account over HTTP, exactly as a client would. */
export async function register(appUrl: string, credentials: Credentials): Promise<void> {
  await post(appUrl, "auth.register", credentials);
}

/**
 * Signs in over HTTP and checks that the token really opens auth.me: a benchmark that quietly
 * measured 401s would be worse than none. Returns the access token.
 */
export async function signIn(appUrl: string, credentials: Credentials): Promise<string> {
  const login = (await post(appUrl, "auth.login", credentials)) as {
    result?: { data?: { accessToken?: unknown } };
  };
  const token = login.result?.data?.accessToken;
  if (typeof token !== "string") {
    throw new Error(`auth.login returned no accessToken: ${JSON.stringify(login)}`);
  }
  const me = await fetch(`${appUrl}/trpc/auth.me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await me.text();
  if (me.status !== 200 || !body.includes(credentials.email)) {
    throw new Error(`auth.me with the new token answered ${me.status}: ${body}`);
  }
  return token;
}

/** A new user, registered and signed in: its access token. */
export async function registerAndSignIn(appUrl: string): Promise<string> {
  const credentials = newCredentials();
  await register(appUrl, credentials);
  return signIn(appUrl, credentials);
}

async function post(appUrl: string, procedure: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${appUrl}/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${procedure} answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}
