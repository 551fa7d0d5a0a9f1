import { accountsRouter } from "./routers/accounts/router";
import { adminRouter } from "./routers/admin/router";
import { authRouter } from "./routers/auth/router";
import { importsRouter } from "./routers/imports/router";
import { mediaRouter } from "./routers/media/router";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  admin: adminRouter,
  media: mediaRouter,
  accounts: accountsRouter,
  imports: importsRouter,
});

export type AppRouter = typeof appRouter;
