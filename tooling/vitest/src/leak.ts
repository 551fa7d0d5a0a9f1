/**
 * What a response body must never hold: a stack frame, a source path, a driver's words.
 * Shared by every test that checks error bodies.
 */
export const LEAK =
  /\bat .*\(|\/work\/|node_modules|\.ts:\d+|Prisma|prisma|ECONNREFUSED|ioredis|Invalid `|stack/;
