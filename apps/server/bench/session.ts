/**
 * Signs a fresh user in over HTTP, exactly as a client would, and checks that the token really
 * opens auth.me: a benchmark that quietly measured 401s would be worse than none.
 */
export async function signIn(appUrl: string): Promise<string> {
  const credentials = { email: `bench-${Date.now()}@example.com`, password: "bench-password-0123" };
  await post(appUrl, "auth.register", credentials);
  const login = (await post(appUrl, "auth.login", credentials)) as {
    result?: { data?: { accessToken?: unknown } };
  };
  const token = login.result?.data?.accessToken;
  if (typeof token !== "string")
    throw new Error(`auth.login returned no accessToken: ${JSON.stringify(login)}`);

  const me = await fetch(`${appUrl}/trpc/auth.me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const body = await me.text();
  if (me.status !== 200 || !body.includes(credentials.email)) {
    throw new Error(`auth.me with the new token answered ${me.status}: ${body}`);
  }
  return token;
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
