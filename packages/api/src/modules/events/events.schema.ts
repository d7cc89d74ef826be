// Live event shapes shared with the web app.
import { z } from 'zod';

/** Sent to a user's streams when some of their sessions are revoked; those streams end. */
export const SESSION_REVOKED_EVENT = 'session.revoked';

/**
 * The last event of a stream ended because its user opened more streams than EVENT_STREAMS_PER_USER:
 * a client must not reconnect on its own, or two tabs would take each other's place forever.
 */
export const STREAM_SUPERSEDED_EVENT = 'stream.superseded';

export const LiveEvent = z.object({
  type: z.string(),
  userId: z.string(),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type LiveEvent = z.infer<typeof LiveEvent>;
