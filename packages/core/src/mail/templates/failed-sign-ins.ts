import { renderEmail, type RenderedEmail } from "./layout";

/** Sent when wrong passwords locked sign-in to the account (at most once an hour). */
export function failedSignInsTemplate(): RenderedEmail {
  return renderEmail("Repeated failed sign-ins on your Lifeline account", [
    "There were several failed attempts to sign in to your Lifeline account with a wrong password, so sign-in is paused for a while for whoever made them.",
    "If it was you: wait a little and try again, or use “Forgot password” on the sign-in page. Resetting your password also lifts the pause at once.",
    "If it was not you: your password was not accepted, and your account is safe as long as it is not guessed. If it is short or used elsewhere, reset it to a new one.",
  ]);
}
