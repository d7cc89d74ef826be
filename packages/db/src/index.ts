// @keel/db: the database types, the connection factory and the migrator.
export * from './connection.js';
export * from './migrate.js';
export * from './schema.js';
export * from './statements.js';
