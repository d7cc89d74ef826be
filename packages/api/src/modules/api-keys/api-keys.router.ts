// apiKeys.* procedures (a person's own keys): wiring only; the rules live in api-keys.service.ts.
import { authedProcedure, router } from '../../trpc.js';
import { Success } from '../common.schema.js';
import { ApiKeyIdInput, ApiKeyList, CreateApiKeyInput, CreatedApiKey } from './api-keys.schema.js';
import * as apiKeys from './api-keys.service.js';

export const apiKeysRouter = router({
  create: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/api-keys',
        tags: ['api-keys'],
        protect: true,
        summary: 'Create an API key for scripts (the key is in this answer only)',
        errorResponses: [400, 401, 403, 409],
      },
    })
    .input(CreateApiKeyInput)
    .output(CreatedApiKey)
    .mutation(({ ctx, input }) => apiKeys.createApiKey(ctx, input)),
  list: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/api-keys',
        tags: ['api-keys'],
        protect: true,
        summary: "The caller's API keys, newest first, without their secrets",
        errorResponses: [401, 403],
      },
    })
    .output(ApiKeyList)
    .query(({ ctx }) => apiKeys.listApiKeys(ctx)),
  revoke: authedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/api-keys/{id}',
        tags: ['api-keys'],
        protect: true,
        summary: 'Revoke one of your API keys: it stops working at once',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(ApiKeyIdInput)
    .output(Success)
    .mutation(({ ctx, input }) => apiKeys.revokeApiKey(ctx, input)),
});
