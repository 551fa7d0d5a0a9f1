import { z } from "zod";

import { IdString } from "../schemas-common";

export const MeResponse = z.looseObject({
  id: IdString,
  displayName: z.string().nullish(),
  // Often null for personal accounts: fall back to userPrincipalName.
  mail: z.string().nullish(),
  userPrincipalName: z.string().nullish(),
});

export const MessagesResponse = z.looseObject({
  value: z.array(
    z.looseObject({
      id: z.string(),
      subject: z.string().nullish(),
      receivedDateTime: z.string().nullish(),
      hasAttachments: z.boolean().optional(),
    }),
  ),
  "@odata.nextLink": z.string().optional(),
});

export const AttachmentsResponse = z.looseObject({
  value: z.array(
    z.looseObject({
      "@odata.type": z.string().optional(),
      id: z.string(),
      name: z.string().nullish(),
      contentType: z.string().nullish(),
      size: z.number().optional(),
      isInline: z.boolean().optional(),
    }),
  ),
});

/** Graph API errors: `{ error: { code, message, innerError } }`. */
export const GraphErrorBody = z.looseObject({
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }),
});

export const DownloadRefSchema = z.object({
  messageId: z.string().min(1),
  attachmentId: z.string().min(1),
});
