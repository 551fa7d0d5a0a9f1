import type { User } from "@lifeline/db";

/** What any API returns about a user: never the hash. Dates as ISO strings (JSON-safe). */
export interface PublicUser {
  id: string;
  email: string;
  emailVerifiedAt: string | null;
  createdAt: string;
}

export const publicUserSelect = {
  id: true,
  email: true,
  emailVerifiedAt: true,
  createdAt: true,
} as const;

export function toPublicUser(
  user: Pick<User, "id" | "email" | "emailVerifiedAt" | "createdAt">,
): PublicUser {
  return {
    id: user.id,
    email: user.email,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
