// admin.* procedures: wiring only; the rules live in admin.service.ts.
import { router } from '../../trpc.js';

export const adminRouter = router({});
