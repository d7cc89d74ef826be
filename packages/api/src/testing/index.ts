// Shared test fixtures for @keel/api and the apps that host it.
export * from './config.js';
export * from './csv.js';
export * from './database.js';
export * from './deps.js';
export * from './env.js';
export * from './envelope.js';
export * from './mail.js';
export * from './smtp.js';
export * from './sso.js';
export * from './tcp-proxy.js';
export * from './users.js';
export * from './wait.js';
