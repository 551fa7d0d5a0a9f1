import { http, type HttpHandler } from "msw";

import type { ProvidersConfig } from "../config";
import { PROVIDER_IDS, type ProviderId } from "../provider";

export interface Handles {
  handle(request: Request): Promise<Response>;
}

/** msw handlers sending every request under each base URL to the emulator. */
export function emulatorHandlers(emulator: Handles, bases: readonly string[]): HttpHandler[] {
  const unique = [...new Set(bases.map((base) => base.replace(/\/+$/, "")))];
  return unique.map((base) => http.all(`${base}/*`, ({ request }) => emulator.handle(request)));
}

/**
 * Handlers for the given emulators at the URLs `config` points each provider to (the real
 * hosts by default), so the clients built from the same config reach them.
 */
export function providerHandlers(
  config: ProvidersConfig,
  emulators: Partial<Record<ProviderId, Handles>>,
): HttpHandler[] {
  return PROVIDER_IDS.flatMap((id) => {
    const emulator = emulators[id];
    return emulator ? emulatorHandlers(emulator, Object.values(config[id].urls)) : [];
  });
}
