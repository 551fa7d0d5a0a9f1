import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { Logger } from "@lifeline/logger";
import {
  PROVIDER_IDS,
  isProviderId,
  redactUrl,
  standinCredentials,
  type ProviderId,
} from "@lifeline/providers";
import { createEmulators, type BaseEmulator } from "@lifeline/providers/testing";

import { sendResponse, toRequest } from "./node-bridge";

export interface StandinServerOptions {
  port: number;
  host: string;
  logger?: Pick<Logger, "info" | "warn" | "error">;
  /** Media items per fake account. */
  media?: number;
}

export interface StandinServer {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  emulators: Record<ProviderId, BaseEmulator>;
  close(): Promise<void>;
}

/** GET /: what is served where, and the fake client each provider accepts. */
function index(origin: string): Response {
  const providers = Object.fromEntries(
    PROVIDER_IDS.map((id) => [id, { baseUrl: `${origin}/${id}`, ...standinCredentials(id) }]),
  );
  return Response.json({
    about: "Fake OAuth providers for development: consent is granted at once, for a fake account.",
    providers,
  });
}

/**
 * The six provider emulators under one origin, each below `/<provider>` (the same
 * emulators the tests run through msw). Their consent screens redirect straight back with a
 * code, so `pnpm dev` can link every provider without an app at any of them.
 */
export async function startStandinServer(options: StandinServerOptions): Promise<StandinServer> {
  const emulators = createEmulators({ mountUnderProviderPath: true, media: options.media ?? 24 });
  let origin = "";
  const server: Server = createServer((req, res) => {
    void (async () => {
      const started = performance.now();
      const segment = (req.url ?? "/").split("/")[1]?.split("?")[0] ?? "";
      let response: Response;
      try {
        const request = await toRequest(req, `http://${req.headers.host ?? new URL(origin).host}`);
        if (segment === "" && req.method === "GET") response = index(new URL(request.url).origin);
        else if (isProviderId(segment)) response = await emulators[segment].handle(request);
        else response = Response.json({ error: "no such provider" }, { status: 404 });
      } catch (error) {
        options.logger?.error({ err: error }, "stand-in failed");
        response = Response.json({ error: "stand-in failed" }, { status: 500 });
      }
      // Codes, tokens and secrets travel in query strings: only the path is logged.
      options.logger?.info(
        {
          method: req.method,
          url: redactUrl(`http://standin${req.url ?? "/"}`).replace("http://standin", ""),
          status: response.type === "error" ? "dropped" : response.status,
          ms: Math.round(performance.now() - started),
        },
        "stand-in request",
      );
      await sendResponse(response, res);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  origin = `http://${host}:${address.port}`;
  return {
    url: origin,
    emulators,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
