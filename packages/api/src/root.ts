// The application router: one entry per feature module.
import { adminRouter } from './modules/admin/admin.router.js';
import { apiKeysRouter } from './modules/api-keys/api-keys.router.js';
import { authRouter } from './modules/auth/auth.router.js';
import { creditsRouter } from './modules/credits/credits.router.js';
import { eventsRouter } from './modules/events/events.router.js';
import { projectsRouter } from './modules/projects/projects.router.js';
import { ssoRouter } from './modules/sso/sso.router.js';
import { teamsRouter } from './modules/teams/teams.router.js';
import { usersRouter } from './modules/users/users.router.js';
import { router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  projects: projectsRouter,
  teams: teamsRouter,
  credits: creditsRouter,
  admin: adminRouter,
  apiKeys: apiKeysRouter,
  events: eventsRouter,
  sso: ssoRouter,
});

export type AppRouter = typeof appRouter;
