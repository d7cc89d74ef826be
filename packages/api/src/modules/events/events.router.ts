// events.* procedures: the caller's live events over SSE.
import { authedProcedure, router } from '../../trpc.js';
import { streamEvents } from './events.service.js';

export const eventsRouter = router({
  onEvent: authedProcedure.subscription(({ ctx, signal }) => streamEvents(ctx, signal)),
});
