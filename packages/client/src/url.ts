/**
 * The tRPC endpoint for a configured URL. The server mounts tRPC at `/trpc`, so both the
 * server's base URL (`http://localhost:3000`) and the endpoint itself
 * (`http://localhost:3000/trpc`) are accepted: a URL whose path already ends in `/trpc` is
 * used as is, anything else gets `/trpc` appended. Trailing slashes are ignored.
 */
export function resolveTrpcUrl(url: string | URL): string {
  const trimmed = String(url).replace(/\/+$/, "");
  return trimmed.endsWith("/trpc") ? trimmed : `${trimmed}/trpc`;
}
