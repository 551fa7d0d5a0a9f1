// For tests of any package that stores media: a real S3-protocol server (s3rver) to run the
// s3 driver against (s3rver is a devDependency of this package), and empty stores whose env
// points an app's real wiring at them.
export { startS3Server, type S3TestServer } from "./s3-server";
export { localTestStore, s3TestStore, type TestStore } from "./test-stores";
