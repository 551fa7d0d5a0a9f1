// For tests of other packages that need the jobs app running beside them (in-process).
export { startJobsApp, type JobsApp, type JobsAppOptions } from "../jobs-app";
export {
  startTestSmtpServer,
  type ReceivedEmail,
  type SmtpRefusal,
  type TestSmtpServer,
} from "./test-smtp-server";
