import { renderEmail, type RenderedEmail } from "./layout";

export interface ReconnectProviderInput {
  /** The provider's display name, e.g. "Instagram"; null when it is not known. */
  provider: string | null;
  /** The account at the provider, e.g. "@ada"; null when it is not known. */
  handle: string | null;
  /** The app (FRONTEND_URL): the page that links accounts does not exist yet. */
  link: string;
}

/** A provider refused our access (revoked or expired): only the user can link it again. */
export function reconnectProviderTemplate(input: ReconnectProviderInput): RenderedEmail {
  const provider = input.provider ?? "one of your linked services";
  const account = input.handle ? `${provider} (${input.handle})` : provider;
  return renderEmail(
    input.provider ? `Reconnect your ${input.provider} account` : "Reconnect a linked account",
    [
      `Lifeline can no longer reach your account at ${account}: the access you gave us was revoked or has expired. Until you reconnect it, nothing new from it is added to your archive; what is already there stays.`,
      { href: input.link, label: "Open Lifeline to reconnect it" },
      "If you meant to disconnect it, there is nothing to do.",
    ],
  );
}
