import { ACCEPTED_MESSAGES } from "../routers/auth/messages";

/**
 * Examples for the main request and response bodies, keyed by procedure path. They show in
 * /api-docs and pre-fill "Try it out"; the OpenAPI test parses each one with the procedure's
 * own input/output schema, so they cannot drift from the contract.
 */
export interface OperationExamples {
  request?: unknown;
  response?: unknown;
}

const USER = {
  id: "5f0c8a52-3c1e-4b8e-9a57-2d0f5e6b7c91",
  email: "ada@example.com",
  emailVerified: false,
  emailVerifiedAt: null,
  createdAt: "2025-01-31T09:30:00.000Z",
};

const TOKEN_PAIR = {
  accessToken:
    "eyJhbGciOiJFZERTQSIsImtpZCI6IjIwMjUtMDEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiI1ZjBjOGE1MiJ9.c2lnbmF0dXJl",
  refreshToken: "q3LmZ0cF8b9rYxS2VwKpT1uN4hEaDjG6oIiMnB7lC5w",
  expiresIn: 900,
  user: USER,
};

const CREDENTIALS = { email: "ada@example.com", password: "correct horse battery staple" };
const REFRESH = { refreshToken: TOKEN_PAIR.refreshToken };
/** The `token` query parameter of an emailed link. */
const EMAIL_LINK_TOKEN = "Xk3v9QmT0bL2cR7sN1wY5zA8dE4fG6hJ0kM2nP4qS6u";

const MEDIA_ITEM_ID = "3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09";
const MEDIA_ITEM = {
  id: MEDIA_ITEM_ID,
  source: "upload",
  kind: "image",
  status: "stored",
  takenAt: "2025-01-18T14:03:27.000Z",
  caption: null,
  mime: "image/jpeg",
  sizeBytes: 2483117,
  sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
  originalName: "IMG_2041.jpg",
  width: 4032,
  height: 3024,
  durationMs: null,
  thumbnail: "ready",
  createdAt: "2025-01-31T09:30:00.000Z",
  contentUrl: `/api/media/${MEDIA_ITEM_ID}/content`,
  thumbnailUrl: `/api/media/${MEDIA_ITEM_ID}/thumbnail`,
};

const LINKED_ACCOUNT = {
  id: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  provider: "instagram",
  providerAccountId: "17841400000000001",
  handle: "ada.lovelace",
  displayName: "Ada Lovelace",
  status: "active",
  expiresAt: "2025-04-03T18:04:11.000Z",
  scopes: ["instagram_business_basic"],
  lastRefreshAt: null,
  lastRefreshError: null,
  lastSyncedAt: null,
  linkedAt: "2025-02-02T18:04:11.000Z",
  updatedAt: "2025-02-02T18:04:11.000Z",
};

const IMPORT_RUN = {
  id: "0b8f7c3e-2d4a-4f6b-9c1e-8a7d5e3f2b10",
  linkedAccountId: "7c9e6679-7425-40de-944b-e07fc1f90ae7",
  provider: "instagram",
  trigger: "manual",
  status: "running",
  counts: { seen: 150, new: 148, existing: 0, skipped: 0, failed: 1, pending: 37 },
  progress: { pagesDone: 3, listingDone: false, itemsDone: 113, percent: null },
  errors: [
    {
      itemId: "3f6c2a9e-1b7d-4c8e-9a0f-5d4e3c2b1a09",
      providerItemId: "17900000000000012",
      code: "integrity",
      reason: "instagram media download delivered 81234 bytes where 81251 were promised",
      at: "2025-02-02T18:04:11.000Z",
    },
  ],
  error: null,
  createdAt: "2025-02-02T18:03:58.000Z",
  startedAt: "2025-02-02T18:03:59.000Z",
  finishedAt: null,
  durationMs: 12400,
};

export const OPERATION_EXAMPLES: Record<string, OperationExamples> = {
  "auth.register": {
    request: CREDENTIALS,
    response: { ok: true, message: ACCEPTED_MESSAGES.registered },
  },
  "auth.verifyEmail": { request: { token: EMAIL_LINK_TOKEN }, response: { ok: true } },
  "auth.resendVerification": {
    request: { email: CREDENTIALS.email },
    response: { ok: true, message: ACCEPTED_MESSAGES.verificationResent },
  },
  "auth.requestPasswordReset": {
    request: { email: CREDENTIALS.email },
    response: { ok: true, message: ACCEPTED_MESSAGES.resetRequested },
  },
  "auth.resetPassword": {
    request: { token: EMAIL_LINK_TOKEN, newPassword: "a new and longer passphrase" },
    response: { ok: true, revokedSessions: 2 },
  },
  "auth.login": { request: CREDENTIALS, response: TOKEN_PAIR },
  "auth.refresh": { request: REFRESH, response: TOKEN_PAIR },
  "auth.logout": { request: REFRESH, response: { ok: true } },
  "auth.logoutAll": { response: { ok: true, revokedSessions: 3 } },
  "auth.me": { response: { user: USER } },
  "auth.sessions": {
    response: {
      sessions: [
        {
          id: "9b2f6c1d-7e4a-4c3b-8d5e-1a2b3c4d5e6f",
          createdAt: "2025-01-31T09:30:00.000Z",
          lastUsedAt: "2025-02-02T18:04:11.000Z",
          userAgent: "curl/8.5.0",
          ip: "203.0.113.7",
          current: true,
        },
      ],
    },
  },
  "auth.revokeSession": { response: { ok: true } },
  "auth.changePassword": {
    request: {
      currentPassword: "correct horse battery staple",
      newPassword: "a new and longer passphrase",
    },
    response: { ok: true, revokedSessions: 2 },
  },
  // Admin inputs are all path and query parameters (their schemas carry the examples).
  "admin.queues": {
    response: {
      queues: [
        {
          name: "email",
          paused: false,
          counts: { waiting: 3, active: 1, delayed: 2, prioritized: 0, failed: 1, completed: 240 },
          oldestWaitingSeconds: 4,
        },
        {
          name: "maintenance",
          paused: false,
          counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0, completed: 2 },
          oldestWaitingSeconds: null,
        },
      ],
      processes: [
        {
          instance: "jobs-7f9c-41",
          queues: ["email", "maintenance"],
          lastBeatAt: "2025-02-02T18:04:11.000Z",
        },
      ],
    },
  },
  "admin.failedJobs": {
    response: {
      queue: "email",
      total: 1,
      jobs: [
        {
          id: "42",
          name: "email.send",
          attemptsMade: 8,
          failedReason: "SMTP 421: service not available",
          createdAt: "2025-02-02T16:00:00.000Z",
          processedAt: "2025-02-02T18:04:10.000Z",
          failedAt: "2025-02-02T18:04:11.000Z",
          payload: { template: "verify-email", userId: USER.id },
        },
      ],
    },
  },
  "admin.retryJob": { response: { ok: true } },
  "admin.removeJob": { response: { ok: true } },
  // Media inputs are all path and query parameters (their schemas carry the examples).
  "media.list": {
    response: {
      items: [MEDIA_ITEM],
      nextCursor: "AQAAAZR5ucuYP2wqnht9TI6aD11OPCsaCXXf8_ElPjpmmVAmaEByWHk",
    },
  },
  "media.buckets": {
    response: {
      buckets: [
        { month: "2025-01", count: 41 },
        { month: "2024-12", count: 97 },
      ],
      total: 138,
    },
  },
  "media.get": { response: { item: MEDIA_ITEM } },
  "media.delete": { response: { ok: true } },
  "accounts.providers": {
    response: {
      providers: [
        { provider: "instagram", name: "Instagram", available: true },
        { provider: "x", name: "X (Twitter)", available: true },
        { provider: "facebook", name: "Facebook", available: false },
        { provider: "google", name: "Gmail (Google)", available: true },
        { provider: "microsoft", name: "Outlook (Microsoft)", available: true },
        { provider: "linkedin", name: "LinkedIn", available: false },
      ],
    },
  },
  "accounts.list": { response: { accounts: [LINKED_ACCOUNT] } },
  "accounts.startLink": {
    request: { provider: "instagram" },
    response: {
      authorizeUrl:
        "https://www.instagram.com/oauth/authorize?client_id=990602627938098&redirect_uri=https%3A%2F%2Fapi.lifeline.example%2Fapi%2Faccounts%2Finstagram%2Fcallback&response_type=code&scope=instagram_business_basic&state=kP3v9QmT0bL2cR7sN1wY5zA8dE4fG6hJ",
      expiresAt: "2025-02-02T18:14:11.000Z",
    },
  },
  "accounts.completeLink": {
    request: {
      provider: "instagram",
      state: "kP3v9QmT0bL2cR7sN1wY5zA8dE4fG6hJ",
      code: "AQBx8mZk2Qw9Lr4Tt6Yp",
    },
    response: { account: LINKED_ACCOUNT, relinked: false },
  },
  "accounts.unlink": { response: { ok: true, revocation: "not_supported" } },
  "accounts.refresh": {
    response: {
      account: {
        ...LINKED_ACCOUNT,
        lastRefreshAt: "2025-02-02T18:04:11.000Z",
        lastRefreshError: null,
      },
      outcome: "refreshed",
      detail: null,
    },
  },
  "imports.start": {
    response: {
      run: {
        ...IMPORT_RUN,
        status: "queued",
        counts: { seen: 0, new: 0, existing: 0, skipped: 0, failed: 0, pending: 0 },
        progress: { pagesDone: 0, listingDone: false, itemsDone: 0, percent: null },
        errors: [],
        startedAt: null,
        durationMs: null,
      },
      started: true,
    },
  },
  "imports.get": { response: { run: IMPORT_RUN } },
  "imports.list": { response: { runs: [IMPORT_RUN], nextCursor: "MTczODUxOTQzODAwMC4wYjhm" } },
};
