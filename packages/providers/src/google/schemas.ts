import { z } from "zod";

import { IdString } from "../schemas-common";

export const UserInfoResponse = z.looseObject({
  sub: IdString,
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
});

export const MessageListResponse = z.looseObject({
  // Left out entirely when nothing matches.
  messages: z.array(z.looseObject({ id: z.string(), threadId: z.string().optional() })).optional(),
  nextPageToken: z.string().optional(),
  resultSizeEstimate: z.number().optional(),
});

const Header = z.looseObject({ name: z.string(), value: z.string() });

export interface MessagePart {
  partId?: string | undefined;
  mimeType?: string | undefined;
  filename?: string | undefined;
  headers?: { name: string; value: string }[] | undefined;
  body?:
    | { attachmentId?: string | undefined; size?: number | undefined; data?: string | undefined }
    | undefined;
  parts?: MessagePart[] | undefined;
}

export const MessagePartSchema: z.ZodType<MessagePart> = z.lazy(() =>
  z.looseObject({
    partId: z.string().optional(),
    mimeType: z.string().optional(),
    filename: z.string().optional(),
    headers: z.array(Header).optional(),
    body: z
      .looseObject({
        attachmentId: z.string().optional(),
        size: z.number().optional(),
        data: z.string().optional(),
      })
      .optional(),
    parts: z.array(MessagePartSchema).optional(),
  }),
);

export const MessageResponse = z.looseObject({
  id: z.string(),
  threadId: z.string().optional(),
  /** Milliseconds since the epoch, as a string. */
  internalDate: z.string().optional(),
  payload: MessagePartSchema.optional(),
});

/** Gmail API errors: `{ error: { code, message, status?, errors: [{ domain, reason }] } }`. */
export const ApiErrorBody = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    errors: z
      .array(z.looseObject({ domain: z.string().optional(), reason: z.string().optional() }))
      .optional(),
    details: z.array(z.looseObject({ reason: z.string().optional() })).optional(),
  }),
});

export const DownloadRefSchema = z.object({ messageId: z.string().min(1), partId: z.string() });
