// sso.* procedures (the account page's linked identities): wiring only; the rules live in
// sso.service.ts. The code flow itself is HTTP, not a procedure (apps/server/src/oidc.ts); the sign-in
// page's `auth.providers` is in the auth router.
import { authedProcedure, router } from '../../trpc.js';
import { Success } from '../common.schema.js';
import { IdentityIdInput, IdentityList } from './sso.schema.js';
import * as sso from './sso.service.js';

export const ssoRouter = router({
  identities: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/sso/identities',
        tags: ['sso'],
        protect: true,
        summary: "The single sign-on accounts linked to the caller's",
        errorResponses: [401, 403],
      },
    })
    .output(IdentityList)
    .query(({ ctx }) => sso.listIdentities(ctx)),
  unlink: authedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/sso/identities/{id}',
        tags: ['sso'],
        protect: true,
        summary: 'Unlink a single sign-on account, unless it is your only way to sign in',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(IdentityIdInput)
    .output(Success)
    .mutation(({ ctx, input }) => sso.unlinkIdentity(ctx, input)),
});
