// The typed tRPC hooks for components: `useTRPC()` gives query/mutation options inferred from AppRouter.
import type { AppRouter } from '@keel/api';
import { createTRPCContext } from '@trpc/tanstack-react-query';

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();
