// __items__.* procedures, scoped to one team: wiring only; the rules live in __itemsKebab__.service.ts.
// Writes are for the team's own members (`globalAdmin: false`); a global ADMIN may read, audited.
import { router, teamProcedure } from '../../trpc.js';
import { Success } from '../common.schema.js';
import {
  Create__Item__Input,
  List__Items__Input,
  __Item__,
  __Item__IdInput,
  __Item__Page,
  Update__Item__Input,
} from './__itemsKebab__.schema.js';
import * as __items__ from './__itemsKebab__.service.js';

export const __items__Router = router({
  create: teamProcedure('MEMBER', { globalAdmin: false })
    .meta({
      openapi: {
        method: 'POST',
        path: '/teams/{teamId}/__itemsKebab__',
        tags: ['__items__'],
        protect: true,
        summary: 'Create __anItemLabel__ in a team',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(Create__Item__Input)
    .output(__Item__)
    .mutation(({ ctx, input }) => __items__.create__Item__(ctx, input)),
  list: teamProcedure('VIEWER')
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams/{teamId}/__itemsKebab__',
        tags: ['__items__'],
        protect: true,
        summary: "List a team's __itemsLabel__, paginated",
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(List__Items__Input)
    .output(__Item__Page)
    .query(({ ctx, input }) => __items__.list__Items__(ctx, input)),
  get: teamProcedure('VIEWER')
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams/{teamId}/__itemsKebab__/{id}',
        tags: ['__items__'],
        protect: true,
        summary: "Get one of a team's __itemsLabel__",
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(__Item__IdInput)
    .output(__Item__)
    .query(({ ctx, input }) => __items__.get__Item__(ctx, input)),
  update: teamProcedure('MEMBER', { globalAdmin: false })
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/teams/{teamId}/__itemsKebab__/{id}',
        tags: ['__items__'],
        protect: true,
        summary: "Rename or describe one of a team's __itemsLabel__",
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(Update__Item__Input)
    .output(__Item__)
    .mutation(({ ctx, input }) => __items__.update__Item__(ctx, input)),
  // MEMBER here; the service lets only ADMIN+ or the row's creator through.
  delete: teamProcedure('MEMBER', { globalAdmin: false })
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/teams/{teamId}/__itemsKebab__/{id}',
        tags: ['__items__'],
        protect: true,
        summary: "Delete one of a team's __itemsLabel__",
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(__Item__IdInput)
    .output(Success)
    .mutation(({ ctx, input }) => __items__.delete__Item__(ctx, input)),
});
