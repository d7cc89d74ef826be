// __items__.* procedures: wiring only; the rules live in __itemsKebab__.service.ts.
import { authedProcedure, router, writerProcedure } from '../../trpc.js';
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
  create: writerProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/__itemsKebab__',
        tags: ['__items__'],
        protect: true,
        summary: 'Create __anItemLabel__',
        errorResponses: [400, 401, 403, 409],
      },
    })
    .input(Create__Item__Input)
    .output(__Item__)
    .mutation(({ ctx, input }) => __items__.create__Item__(ctx, input)),
  list: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/__itemsKebab__',
        tags: ['__items__'],
        protect: true,
        summary: 'List __itemsLabel__, paginated',
        errorResponses: [400, 401, 403],
      },
    })
    .input(List__Items__Input)
    .output(__Item__Page)
    .query(({ ctx, input }) => __items__.list__Items__(ctx, input)),
  get: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/__itemsKebab__/{id}',
        tags: ['__items__'],
        protect: true,
        summary: 'Get one __itemLabel__',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(__Item__IdInput)
    .output(__Item__)
    .query(({ ctx, input }) => __items__.get__Item__(ctx, input)),
  update: writerProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/__itemsKebab__/{id}',
        tags: ['__items__'],
        protect: true,
        summary: 'Rename or describe __anItemLabel__',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(Update__Item__Input)
    .output(__Item__)
    .mutation(({ ctx, input }) => __items__.update__Item__(ctx, input)),
  delete: writerProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/__itemsKebab__/{id}',
        tags: ['__items__'],
        protect: true,
        summary: 'Delete __anItemLabel__',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(__Item__IdInput)
    .output(Success)
    .mutation(({ ctx, input }) => __items__.delete__Item__(ctx, input)),
});
