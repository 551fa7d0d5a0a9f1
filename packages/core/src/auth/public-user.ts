import type { User } from "@lifeline/db";

/** What any API returns about a user: never the hash. Dates as ISO strings (JSON-safe). */
export interface PublicUser {
  id: string;
  email: string;
  /** Whether the address was verified (emailVerifiedAt is set); login works either way. */
  emailVerified: boolean;
  emailVerifiedAt: string | null;
  createdAt: string;
}

/** What a user may do beyond their own data: `admin` also reaches the admin procedures. */
export type UserRole = User["role"];

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
    emailVerified: user.emailVerifiedAt !== null,
    emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}
