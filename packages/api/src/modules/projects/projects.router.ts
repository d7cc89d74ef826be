// projects.* procedures: wiring only; the rules live in projects.service.ts.
import { router } from '../../trpc.js';

export const projectsRouter = router({});
