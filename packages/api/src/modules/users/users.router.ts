// users.* procedures: wiring only; the rules live in users.service.ts.
import { authedProcedure, router, writerProcedure } from '../../trpc.js';
import { SearchUsersInput, UpdateProfileInput, User, UserSearchResult } from './users.schema.js';
import * as users from './users.service.js';

export const usersRouter = router({
  updateProfile: authedProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/users/me',
        tags: ['users'],
        protect: true,
        summary: "Update the caller's name or avatar",
        errorResponses: [400, 401],
      },
    })
    .input(UpdateProfileInput)
    .output(User)
    .mutation(({ ctx, input }) => users.updateProfile(ctx, input)),
  // Looking other people up is for full accounts: GUEST reads only its own data.
  search: writerProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/users/search',
        tags: ['users'],
        protect: true,
        summary: 'Find active users by name or email',
        errorResponses: [400, 401, 403],
      },
    })
    .input(SearchUsersInput)
    .output(UserSearchResult)
    .query(({ ctx, input }) => users.searchUsers(ctx, input)),
});
