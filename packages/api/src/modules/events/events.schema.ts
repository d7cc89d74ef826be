// Live event shapes shared with the web app.
import { z } from 'zod';

/** Sent to a user's streams when some of their sessions are revoked; those streams end. */
export const SESSION_REVOKED_EVENT = 'session.revoked';

export const LiveEvent = z.object({
  type: z.string(),
  userId: z.string(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type LiveEvent = z.infer<typeof LiveEvent>;
