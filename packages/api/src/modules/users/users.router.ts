// users.* procedures: wiring only; the rules live in users.service.ts.
import { router } from '../../trpc.js';

export const usersRouter = router({});
