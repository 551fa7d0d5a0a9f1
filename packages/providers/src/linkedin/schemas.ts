import { z } from "zod";

import { IdString } from "../schemas-common";

export const UserInfoResponse = z.looseObject({
  sub: IdString,
  name: z.string().optional(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
});

const Content = z.looseObject({
  media: z.looseObject({ id: z.string(), altText: z.string().optional() }).optional(),
  multiImage: z.looseObject({ images: z.array(z.looseObject({ id: z.string() })) }).optional(),
  article: z
    .looseObject({ source: z.string().optional(), title: z.string().optional() })
    .optional(),
});

export const Post = z.looseObject({
  id: z.string(),
  commentary: z.string().optional(),
  lifecycleState: z.string().optional(),
  createdAt: z.number().optional(),
  publishedAt: z.number().optional(),
  content: Content.optional(),
});

export const PostsResponse = z.looseObject({
  paging: z
    .looseObject({
      start: z.number().optional(),
      count: z.number().optional(),
      total: z.number().optional(),
    })
    .optional(),
  elements: z.array(Post),
});

/** /rest/images/{urn} and /rest/videos/{urn}: only these fields are relied on. */
export const MediaAssetResponse = z.looseObject({
  id: z.string().optional(),
  downloadUrl: z.string().optional(),
  downloadUrlExpiresAt: z.number().optional(),
  status: z.string().optional(),
});

/** API errors: `{ status, serviceErrorCode, code, message }`. */
export const ApiErrorBody = z.looseObject({
  status: z.number().optional(),
  serviceErrorCode: z.number().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});

export const DownloadRefSchema = z.object({ urn: z.string().regex(/^urn:li:(image|video):/) });
