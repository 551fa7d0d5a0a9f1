import { renderEmail, type RenderedEmail } from "./layout";

export interface ProviderExpiringInput {
  /** The provider's display name, e.g. "Facebook". */
  provider: string;
  /** The account at the provider, e.g. "Ada Example"; null when it is not known. */
  handle: string | null;
  /** When the link stops working. */
  expiresAt: Date;
  /** The app (FRONTEND_URL), where accounts are linked. */
  link: string;
}

/**
 * Some providers (Facebook) give no way to renew access: the link ends on a date, and only
 * linking the account again (a few clicks, usually no consent screen) extends it.
 */
export function providerExpiringTemplate(input: ProviderExpiringInput): RenderedEmail {
  const account = input.handle ? `${input.provider} (${input.handle})` : input.provider;
  const day = input.expiresAt.toISOString().slice(0, 10);
  return renderEmail(`Your ${input.provider} link ends on ${day}`, [
    `${input.provider} lets Lifeline reach your account at ${account} only until ${day} (UTC), and it cannot be renewed automatically. Link it again before then to keep adding to your archive; what is already there stays either way.`,
    { href: input.link, label: "Open Lifeline to link it again" },
  ]);
}
