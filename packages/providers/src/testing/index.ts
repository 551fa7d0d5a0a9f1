export { createClock, type Clock } from "./clock";
export { fakeFile, tinyMp4, tinyPdf, tinyPng, type FakeFileKind } from "./fake-bytes";
export { FaultInjector, type FaultResponse, type FaultRule } from "./faults";
export { OAuthStore, type AccessRecord, type Grant, type RefreshRecord } from "./oauth-store";
export {
  BaseEmulator,
  offsetCursor,
  type ConsentSettings,
  type EmulatorOptions,
  type RequestContext,
} from "./emulator";
export {
  InstagramEmulator,
  type InstagramAccount,
  type InstagramEmulatorOptions,
  type InstagramMedia,
} from "./emulators/instagram";
export {
  XEmulator,
  type XAccount,
  type XEmulatorOptions,
  type XMedia,
  type XPost,
} from "./emulators/x";
export {
  FacebookEmulator,
  type FacebookAccount,
  type FacebookEmulatorOptions,
} from "./emulators/facebook";
export {
  GoogleEmulator,
  type GmailAttachment,
  type GmailMessage,
  type GoogleAccount,
  type GoogleEmulatorOptions,
} from "./emulators/google";
export {
  MicrosoftEmulator,
  type MicrosoftAccount,
  type MicrosoftEmulatorOptions,
  type OutlookAttachment,
  type OutlookMessage,
} from "./emulators/microsoft";
export {
  LinkedInEmulator,
  type LinkedInAccount,
  type LinkedInEmulatorOptions,
  type LinkedInPost,
} from "./emulators/linkedin";
export { emulatorHandlers, providerHandlers, type Handles } from "./msw";
export { createEmulators, type AllEmulatorsOptions } from "./all";
