// credits.* procedures: wiring only; the rules live in credits.service.ts.
import { router } from '../../trpc.js';

export const creditsRouter = router({});
