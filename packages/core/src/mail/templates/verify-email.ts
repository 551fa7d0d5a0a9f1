import { duration, renderEmail, type RenderedEmail } from "./layout";

export interface VerifyEmailInput {
  /** `${FRONTEND_URL}/verify-email?token=…` */
  link: string;
  ttlSeconds: number;
}

export function verifyEmailTemplate(input: VerifyEmailInput): RenderedEmail {
  return renderEmail("Verify your email address", [
    "Welcome to Lifeline. Please confirm that this address is yours:",
    { href: input.link, label: "Verify my email address" },
    `The link works once, for ${duration(input.ttlSeconds)}. If it has expired, sign in and ask for a new one.`,
    "If you did not create a Lifeline account, ignore this email: without the link, the address stays unverified.",
  ]);
}
