export { startTestServer, type TestServer, type TestServerOptions } from "./test-server";
// For the benchmark's skeleton and diagnostic servers, which rebuild parts of the app.
export { buildApp } from "../app";
export { registerTrpc } from "../plugins/trpc";
