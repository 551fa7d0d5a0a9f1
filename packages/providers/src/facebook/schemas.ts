import { z } from "zod";

import { GraphPaging } from "../meta/paging";
import { IdString, Seconds } from "../schemas-common";

export const TokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: Seconds.optional(),
});

export const PermissionsResponse = z.looseObject({
  data: z.array(z.looseObject({ permission: z.string(), status: z.string() })),
});

export const ProfileResponse = z.looseObject({
  id: IdString,
  name: z.string().optional(),
  email: z.string().optional(),
});

export const SuccessResponse = z.looseObject({ success: z.boolean().optional() });

const Image = z.looseObject({
  source: z.string(),
  width: z.number().optional(),
  height: z.number().optional(),
});

export const Photo = z.looseObject({
  id: IdString,
  created_time: z.string().optional(),
  name: z.string().optional(),
  link: z.string().optional(),
  images: z.array(Image).optional(),
  width: z.number().optional(),
  height: z.number().optional(),
});

export const Video = z.looseObject({
  id: IdString,
  created_time: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  length: z.number().optional(),
  permalink_url: z.string().optional(),
});

const AttachmentBase = z.looseObject({
  media_type: z.string().optional(),
  type: z.string().optional(),
  media: z
    .looseObject({
      image: z.looseObject({ src: z.string().optional() }).optional(),
      source: z.string().optional(),
    })
    .optional(),
  url: z.string().optional(),
  target: z.looseObject({ id: IdString.optional() }).optional(),
});

export const Attachment = AttachmentBase.extend({
  subattachments: z.looseObject({ data: z.array(AttachmentBase) }).optional(),
});

export const Post = z.looseObject({
  id: IdString,
  created_time: z.string().optional(),
  message: z.string().optional(),
  permalink_url: z.string().optional(),
  attachments: z.looseObject({ data: z.array(Attachment) }).optional(),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.looseObject({ data: z.array(item), paging: GraphPaging });

export const NodeImages = z.looseObject({ images: z.array(Image).optional() });
export const NodeSource = z.looseObject({ source: z.string().optional() });

/** A photo or video node (re-fetched for a fresh URL), or a plain URL when there is no node. */
export const DownloadRefSchema = z.union([
  z.object({ nodeId: z.string().min(1), type: z.enum(["photo", "video"]) }),
  z.object({ url: z.string().min(1) }),
]);
