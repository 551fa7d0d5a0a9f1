export { diffDatabaseAgainstSchema, isEmptySql } from "./diff";
export { toPrisma6Schema, writeSchemaCopy } from "./schema-copy";
export { migrationSlug, writeMigration } from "./write-migration";
