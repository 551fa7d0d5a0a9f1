// s3rver in a process of its own, for tests (src/testing/s3-server.ts starts it).
// Its own process because s3rver's ListObjectsV2 continuation tokens use DES, which Node 20's
// OpenSSL 3 only offers under --openssl-legacy-provider, and so that its buffers do not count
// in the test process's memory measurements.
import S3rver from "s3rver";

const [directory] = process.argv.slice(2);
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory });
const { port } = await server.run();
process.send?.({ port });
// The parent disconnects to stop us, or dies: either way the IPC channel closes.
process.on("disconnect", () => {
  void server.close().finally(() => process.exit(0));
});
