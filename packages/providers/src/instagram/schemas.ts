import { z } from "zod";

import { GraphPaging } from "../meta/paging";
import { IdString, Seconds } from "../schemas-common";

/** A string ("a,b") or an array, depending on the response. */
const Permissions = z.union([z.string(), z.array(z.string())]).optional();

const ShortToken = z.looseObject({
  access_token: z.string().min(1),
  // Never trusted (it can arrive as an unsafe JSON number); /me is read instead.
  user_id: z.unknown().optional(),
  permissions: Permissions,
  expires_in: Seconds.optional(),
});

/** The code exchange: flat in practice, wrapped in `data[]` in the official guide. */
export const ShortTokenResponse = z.union([
  z.looseObject({ data: z.tuple([ShortToken], z.unknown()) }).transform((body) => body.data[0]),
  ShortToken,
]);

/** ig_exchange_token and ig_refresh_token. */
export const LongTokenResponse = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: Seconds,
  permissions: Permissions,
});

const Profile = z.looseObject({
  /** App-scoped. */
  id: IdString,
  /** The professional account id (IG_ID, what webhooks use). */
  user_id: IdString.optional(),
  username: z.string().optional(),
  name: z.string().optional(),
  account_type: z.string().optional(),
});

/** /me: flat live, wrapped in `data[]` in the docs. */
export const ProfileResponse = z.union([
  z.looseObject({ data: z.tuple([Profile], z.unknown()) }).transform((body) => body.data[0]),
  Profile,
]);

const MediaChild = z.looseObject({
  id: IdString,
  media_type: z.string(),
  media_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
});

export const Media = z.looseObject({
  id: IdString,
  caption: z.string().optional(),
  media_type: z.string(),
  media_product_type: z.string().optional(),
  media_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
  permalink: z.string().optional(),
  timestamp: z.string().optional(),
  children: z.looseObject({ data: z.array(MediaChild) }).optional(),
});

export const MediaPageResponse = z.looseObject({ data: z.array(Media), paging: GraphPaging });

export const MediaUrlsResponse = z.looseObject({
  id: IdString.optional(),
  media_url: z.string().optional(),
  thumbnail_url: z.string().optional(),
});

export const DownloadRefSchema = z.object({ mediaId: z.string().min(1) });
