/**
 * The server's own builders, which the skeleton app and the diagnostic copies of the app need.
 * @lifeline/server exports only ./testing, so they are reached by path, here and nowhere else:
 * once the server exports them (e.g. from ./testing), this file becomes a plain re-export.
 */
export { buildApp } from "../../../apps/server/src/app";
export { registerTrpc } from "../../../apps/server/src/plugins/trpc";
