import { adminRouter } from "./routers/admin/router";
import { authRouter } from "./routers/auth/router";
import { router } from "./trpc";

export const appRouter = router({
  auth: authRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
