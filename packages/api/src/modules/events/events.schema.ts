// Live events: one union of every event, shared by the publisher (`ctx.events.publish` takes only its
// members), the `events.onEvent` stream and the web app (a `switch` on `type`). Adding an event is
// adding a member here; the compiler then shows every place that must handle it.
import { z } from 'zod';
import { RoleSchema } from '../users/users.schema.js';

/** What every event carries besides its `type` and `data`. */
const addressed = {
  /** The user the event is for: only their streams receive it. */
  userId: z.string(),
  /** When it was published (ISO 8601), stamped by the event bus. */
  at: z.string(),
};

/** Credits arrived: a transfer from another user, or an admin's grant (`reason`, no sender). */
export const CreditsReceivedEvent = z.object({
  type: z.literal('credits.received'),
  ...addressed,
  data: z.object({
    transferId: z.string().nullable(),
    fromUserId: z.string().nullable(),
    amount: z.number(),
    /** The recipient's balance after it. */
    balance: z.number(),
    reason: z.string().optional(),
  }),
});
export type CreditsReceivedEvent = z.infer<typeof CreditsReceivedEvent>;

/** One of the user's projects was created, updated or deleted (by them or by an admin). */
export const ProjectChangedEvent = z.object({
  type: z.literal('project.changed'),
  ...addressed,
  data: z.object({ projectId: z.string(), change: z.enum(['created', 'updated', 'deleted']) }),
});
export type ProjectChangedEvent = z.infer<typeof ProjectChangedEvent>;

/** An admin changed the user's role: the dashboard refetches `auth.me` and redraws what the role allows. */
export const RoleChangedEvent = z.object({
  type: z.literal('user.role_changed'),
  ...addressed,
  data: z.object({ role: RoleSchema }),
});
export type RoleChangedEvent = z.infer<typeof RoleChangedEvent>;

/**
 * Some of the user's sessions were revoked: the streams of those sessions end. For the servers
 * only — `events.onEvent` never sends it.
 */
export const SessionRevokedEvent = z.object({
  type: z.literal('session.revoked'),
  ...addressed,
  data: z.object({ sessionIds: z.array(z.string()) }),
});
export type SessionRevokedEvent = z.infer<typeof SessionRevokedEvent>;

/**
 * The last event of a stream ended because its user opened more streams than EVENT_STREAMS_PER_USER:
 * a client must not reconnect on its own, or two tabs would take each other's place forever.
 */
export const StreamSupersededEvent = z.object({
  type: z.literal('stream.superseded'),
  ...addressed,
  data: z.object({}),
});
export type StreamSupersededEvent = z.infer<typeof StreamSupersededEvent>;

export const LiveEvent = z.discriminatedUnion('type', [
  CreditsReceivedEvent,
  ProjectChangedEvent,
  RoleChangedEvent,
  SessionRevokedEvent,
  StreamSupersededEvent,
]);
export type LiveEvent = z.infer<typeof LiveEvent>;
