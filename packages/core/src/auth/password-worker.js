// Runs inside the password pool's worker threads (see password-hasher.ts). Plain JavaScript
// so a worker needs no TypeScript loader, in development, tests or the bundled server.
// The synchronous bcryptjs calls are right here: this thread does nothing else, and they
// are faster than the async ones, which yield between chunks.
import bcrypt from "bcryptjs";

/** @param {{ op: "hash", password: string, cost: number } | { op: "verify", password: string, hash: string }} task */
export default function run(task) {
  if (task.op === "hash") return bcrypt.hashSync(task.password, task.cost);
  return bcrypt.compareSync(task.password, task.hash);
}
