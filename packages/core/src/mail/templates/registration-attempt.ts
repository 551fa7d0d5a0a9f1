import { renderEmail, type RenderedEmail } from "./layout";

/**
 * To the owner of an address someone tried to register again. It carries no link: the
 * registration changed nothing, and there is nothing to confirm.
 */
export function registrationAttemptTemplate(): RenderedEmail {
  return renderEmail("Someone tried to sign up with your email address", [
    "Someone just tried to create a Lifeline account with this email address. You already have an account, so nothing was created and nothing about your account changed.",
    "If it was you: sign in as usual, or use “Forgot password” on the sign-in page if you no longer know your password.",
    "If it was not you: nobody can get into your account this way. If you are worried that someone knows your password, reset it from the sign-in page.",
  ]);
}
