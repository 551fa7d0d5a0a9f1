import type { Scenario } from "../harness/area";
import { accounts } from "./accounts";
import { auth } from "./auth";
import { backups } from "./backups";
import { imports } from "./imports";
import { jobs } from "./jobs";
import { media } from "./media";

/**
 * Every area `pnpm bench` knows, in the order a full run measures them. Adding one: a file in
 * this folder exporting a Scenario, and its line here.
 */
export const scenarios: readonly Scenario[] = [auth, jobs, media, backups, accounts, imports];
