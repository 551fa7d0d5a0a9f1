import { z } from "zod";

import { IdString } from "../schemas-common";

export const UserResponse = z.looseObject({
  data: z.looseObject({
    id: IdString,
    name: z.string().optional(),
    username: z.string().optional(),
  }),
});

const Variant = z.looseObject({
  bit_rate: z.number().optional(),
  content_type: z.string(),
  url: z.string(),
});

export const Media = z.looseObject({
  media_key: z.string(),
  type: z.string(),
  url: z.string().optional(),
  preview_image_url: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  duration_ms: z.number().optional(),
  alt_text: z.string().optional(),
  variants: z.array(Variant).optional(),
});

export const Post = z.looseObject({
  id: IdString,
  text: z.string().default(""),
  created_at: z.string().optional(),
  attachments: z.looseObject({ media_keys: z.array(z.string()).optional() }).optional(),
  /** Posts over 280 characters keep their whole text here; `text` is cut. */
  note_tweet: z.looseObject({ text: z.string() }).optional(),
});

export const PostsResponse = z.looseObject({
  // Absent when the page is empty.
  data: z.array(Post).optional(),
  includes: z.looseObject({ media: z.array(Media).optional() }).optional(),
  meta: z.looseObject({ next_token: z.string().optional() }).optional(),
  /** Partial errors on a 200: logged, not fatal. */
  errors: z.array(z.unknown()).optional(),
});

export const RevokeResponse = z.looseObject({ revoked: z.boolean().optional() });

/** problem+json (API v2) or the legacy `{ errors: [{ code, message }] }`. */
export const ProblemBody = z.looseObject({
  title: z.string().optional(),
  type: z.string().optional(),
  detail: z.string().optional(),
  status: z.number().optional(),
});

export const LegacyErrors = z.looseObject({
  errors: z.array(z.looseObject({ code: z.number().optional(), message: z.string().optional() })),
});

export const DownloadRefSchema = z.object({
  url: z.string().min(1),
  fallbackUrl: z.string().min(1).optional(),
});
