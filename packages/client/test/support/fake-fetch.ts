/** tRPC's wire format for one unbatched call, enough to script a server in unit tests. */
export function trpcData(data: unknown): Response {
  return Response.json({ result: { data } });
}

export function trpcError(
  code: "UNAUTHORIZED" | "BAD_REQUEST" | "TOO_MANY_REQUESTS",
  httpStatus: number,
): Response {
  return Response.json(
    {
      error: {
        message: code,
        code: -32000,
        data: { code, httpStatus, requestId: "req-1" },
      },
    },
    { status: httpStatus },
  );
}

/** The procedure path an unbatched tRPC request is for, e.g. "auth.me". */
export function procedureOf(input: string | URL | Request): string {
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  return new URL(url).pathname.replace(/^\/trpc\//, "");
}
