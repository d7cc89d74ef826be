// Every module's zod schemas, for the web app's forms (no server code).

export * from './modules/account/account.schema.js';
export * from './modules/admin/admin.activity.schema.js';
export * from './modules/admin/admin.schema.js';
export * from './modules/api-keys/api-keys.schema.js';
export * from './modules/auth/auth.schema.js';
export * from './modules/common.schema.js';
export * from './modules/credits/credits.schema.js';
export * from './modules/events/events.schema.js';
export * from './modules/invitations/invitations.schema.js';
export * from './modules/mfa/mfa.schema.js';
export * from './modules/projects/projects.schema.js';
export * from './modules/sso/sso.schema.js';
export * from './modules/teams/teams.invitations.schema.js';
export * from './modules/teams/teams.schema.js';
export * from './modules/users/users.schema.js';
