// The only module that reads process.env: parse it once, and keep the development JWT secret under DATA_DIR.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type Env, parseEnv } from '@keel/api/server';
import { z } from 'zod';

/** Settings only the host reads; the API layer never sees them. */
const HostSchema = z.object({
  // How long a stopping process keeps serving, /health/ready already 503, before it stops
  // accepting: a load balancer needs a few probes to stop routing to it. Unset: 5 s in production, 0 otherwise.
  SHUTDOWN_DELAY_MS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.coerce.number().int().min(0).max(60_000).optional(),
  ),
});

const PRODUCTION_SHUTDOWN_DELAY_MS = 5_000;

export interface ServerConfig extends Env {
  SHUTDOWN_DELAY_MS: number;
  JWT_ACCESS_SECRET: string;
  /** Where JWT_ACCESS_SECRET came from, for the start-up log. */
  jwtSecretSource: 'environment' | 'generated' | 'data-dir';
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const host = HostSchema.safeParse(env);
  const hostErrors = host.success
    ? ''
    : host.error.issues.map((issue) => `\n  ${issue.path.join('.')}: ${issue.message}`).join('');
  let shared: Env;
  try {
    shared = parseEnv(env);
  } catch (error) {
    // One message naming every bad variable, the host's included.
    if (error instanceof ConfigError && hostErrors) throw new ConfigError(`${error.message}${hostErrors}`);
    throw error;
  }
  if (!host.success) throw new ConfigError(`Invalid configuration:${hostErrors}`);
  const parsed = {
    ...shared,
    SHUTDOWN_DELAY_MS:
      host.data.SHUTDOWN_DELAY_MS ?? (shared.NODE_ENV === 'production' ? PRODUCTION_SHUTDOWN_DELAY_MS : 0),
  };
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
