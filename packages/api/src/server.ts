// Runtime exports for apps/server and tests: the router, context, and the pieces the host composes.

export { isLogged } from './common/error-log.js';
export { APP_ERROR_CODES, AppError, detailsFromIssues, INTERNAL_MESSAGE, toPublicError } from './common/errors.js';
export {
  createMemoryEventBus,
  createRedisEventBus,
  type EventBus,
  type LiveStreamStats,
  type LiveStreams,
} from './common/events.js';
export { createPasswordHasher, type PasswordHasher } from './common/hash.js';
export { type JobOutcome, type Jobs, startJobs } from './common/jobs.js';
export { createMailer, type Mailer, type MailMessage } from './common/mailer.js';
export {
  createRateLimiter,
  enforceRateLimit,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRuleName,
} from './common/rate-limit.js';
export {
  createMemorySessionState,
  createRedisSessionState,
  type DurableSessionStateStore,
  type SessionRecord,
  type SessionStateStore,
} from './common/session-state.js';
export { createTokenService, type TokenService } from './common/tokens.js';
export {
  type ApiConfig,
  type ApiEnv,
  ApiEnvSchema,
  ConfigError,
  envBool,
  envInt,
  envOptional,
  parseEnv,
  toApiConfig,
} from './config.js';
export {
  type AppDeps,
  type Context,
  createContextInner,
  noopResponse,
  type ProcedureCall,
  type ProcedureTracer,
  type RequestInfo,
  type RequestObservation,
  type ResponseControl,
} from './context.js';
export { APP_QUEUES, type AppJobs, type AppQueues, appJobHandlers } from './jobs.js';
export { adminHostRouter } from './modules/admin/admin.router.js';
export { type ApiKeyVerifier, createApiKeyVerifier } from './modules/api-keys/api-keys.service.js';
export { ensureAdmin } from './modules/auth/auth.service.js';
export { createSessionRecord } from './modules/auth/session-record.js';
export { streamsFull } from './modules/events/events.service.js';
export { SSO_ERROR_MESSAGES, type SsoErrorCode } from './modules/sso/sso.schema.js';
export {
  type LinkIntent,
  linkIdentity,
  linkIntentOf,
  type OidcClaims,
  SsoRefusal,
  signInWithIdentity,
} from './modules/sso/sso.service.js';
export { markEmailVerified } from './modules/users/users.service.js';
export { type AppRouter, appRouter } from './root.js';
export { createCallerFactory, type ProcedureMeta } from './trpc.js';
