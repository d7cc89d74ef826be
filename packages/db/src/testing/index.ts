// Test fixtures of @keel/db, shared with the packages above it (`@keel/db/testing`).
export * from './env.js';
export * from './scratch-database.js';
