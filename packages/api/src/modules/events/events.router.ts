// events.* procedures: wiring only; the rules live in events.service.ts.
import { router } from '../../trpc.js';

export const eventsRouter = router({});
