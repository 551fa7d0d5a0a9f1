import { duration, renderEmail, type RenderedEmail } from "./layout";

export interface PasswordResetInput {
  /** `${FRONTEND_URL}/reset-password?token=…` */
  link: string;
  ttlSeconds: number;
}

export function passwordResetTemplate(input: PasswordResetInput): RenderedEmail {
  return renderEmail("Reset your Lifeline password", [
    "Someone (we hope you) asked to reset the password of the Lifeline account for this address. To choose a new password, open:",
    { href: input.link, label: "Choose a new password" },
    `The link works once, for ${duration(input.ttlSeconds)}. Resetting signs you out everywhere.`,
    "If you did not ask for this, ignore this email: your password stays as it is.",
  ]);
}
