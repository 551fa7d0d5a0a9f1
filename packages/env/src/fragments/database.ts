import { defineFragment } from "../compose";
import { postgresUrl } from "../fields";

export const databaseEnv = defineFragment({
  shape: {
    DATABASE_URL: postgresUrl.default("postgresql://postgres@127.0.0.1:5432/lifeline"),
  },
});
