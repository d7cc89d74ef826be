// The only module that reads process.env: parse it once, and keep the development JWT secret under DATA_DIR.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Env, parseEnv } from '@keel/api/server';

export interface ServerConfig extends Env {
  JWT_ACCESS_SECRET: string;
  /** Where JWT_ACCESS_SECRET came from, for the start-up log. */
  jwtSecretSource: 'environment' | 'generated' | 'data-dir';
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = parseEnv(env);
  if (parsed.JWT_ACCESS_SECRET)
    return { ...parsed, JWT_ACCESS_SECRET: parsed.JWT_ACCESS_SECRET, jwtSecretSource: 'environment' };
  // Development only (production refuses to start without the variable): one secret, generated
  // once, so tokens survive restarts.
  const file = join(parsed.DATA_DIR, 'jwt-secret');
  if (existsSync(file)) {
    return { ...parsed, JWT_ACCESS_SECRET: readFileSync(file, 'utf8').trim(), jwtSecretSource: 'data-dir' };
  }
  mkdirSync(parsed.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { ...parsed, JWT_ACCESS_SECRET: secret, jwtSecretSource: 'generated' };
}
