import type { ProviderId } from "../provider";
import type { Clock } from "./clock";
import type { BaseEmulator } from "./emulator";
import { FacebookEmulator } from "./emulators/facebook";
import { GoogleEmulator } from "./emulators/google";
import { InstagramEmulator } from "./emulators/instagram";
import { LinkedInEmulator } from "./emulators/linkedin";
import { MicrosoftEmulator } from "./emulators/microsoft";
import { XEmulator } from "./emulators/x";

export interface AllEmulatorsOptions {
  clock?: Clock;
  /** Mount each under `/<provider>` (the stand-in server) rather than at a host's root. */
  mountUnderProviderPath?: boolean;
  /** Items seeded per provider for its default account. */
  media?: number;
}

/** One emulator per provider, sharing a clock. */
export function createEmulators(
  options: AllEmulatorsOptions = {},
): Record<ProviderId, BaseEmulator> {
  const common = (id: ProviderId) => ({
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.mountUnderProviderPath ? { basePath: `/${id}` } : {}),
    ...(options.media !== undefined ? { media: options.media } : {}),
  });
  return {
    instagram: new InstagramEmulator(common("instagram")),
    x: new XEmulator(common("x")),
    facebook: new FacebookEmulator(common("facebook")),
    google: new GoogleEmulator(common("google")),
    microsoft: new MicrosoftEmulator(common("microsoft")),
    // The stand-in plays an approved partner, so every path can be tried in development.
    linkedin: new LinkedInEmulator({ ...common("linkedin"), partner: true }),
  };
}
