import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

/**
 * The driver adapter prisma 6.19's WASM schema engine talks through (prisma.config.ts),
 * with the two fixes it needs offline (docs/migrations.md, "The two adapter fixes").
 */

/** pg's type id for Postgres' one-byte internal `"char"` (pg_class.relkind and the like). */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

type QueryFn = (...args: unknown[]) => unknown;

function relabelCharColumns(result: unknown): void {
  for (const one of Array.isArray(result) ? result : [result]) {
    const fields = (one as { fields?: { dataTypeID: number }[] } | undefined)?.fields;
    for (const field of fields ?? []) {
      if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
    }
  }
}

/**
 * The engine's catalog queries return `"char"` columns, which adapter-pg refuses ("Column type
 * 'char' could not be deserialized"). Their text value is the character itself, so labelling
 * them `text` is lossless. Patched on the instance because `query` has many overloads.
 */
class CharAsTextClient extends pg.Client {
  constructor(config?: pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as QueryFn;
    const patched: QueryFn = (...args) => {
      // pg.Pool#query calls the client with a callback; adapter-pg's transactions use the promise.
      const callback = args.at(-1);
      if (typeof callback === "function") {
        args[args.length - 1] = (error: unknown, result: unknown) => {
          if (!error) relabelCharColumns(result);
          (callback as QueryFn)(error, result);
        };
        return query(...args);
      }
      const result = query(...args);
      return result instanceof Promise
        ? result.then((r: unknown) => (relabelCharColumns(r), r))
        : result;
    };
    this.query = patched as unknown as pg.Client["query"];
  }
}

/**
 * Host, port, user, password and database as separate fields, not `connectionString`: the
 * shadow database (`--from-migrations`) is made by overriding `database`, which a
 * connection string would silently win over.
 */
export function createAdapter(connectionString: string): PrismaPg {
  const url = new URL(connectionString);
  return new PrismaPg({
    host: decodeURIComponent(url.hostname),
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username) || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    Client: CharAsTextClient,
    // Let the prisma process exit once its queries are done instead of idling ~10 s
    // (pg's idleTimeoutMillis) with open pool connections.
    allowExitOnIdle: true,
  });
}
