// docker-compose.yml and the Dockerfile cannot run here (no Docker engine): their structure is checked instead.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../../..');
const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'));
const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');

describe('docker-compose.yml', () => {
  it('brings up PostgreSQL, Redis, two server replicas and a proxy in front', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'proxy', 'redis', 'server']);
    expect(compose.services.server.deploy.replicas).toBe(2);
    expect(compose.services.proxy.ports).toContain('8080:80');
  });

  it('points the servers at the shared PostgreSQL and Redis and demands a JWT secret', () => {
    const env = compose.services.server.environment;
    expect(env.NODE_ENV).toBe('production');
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(env.JWT_ACCESS_SECRET).toMatch(/^\$\{JWT_ACCESS_SECRET:\?/);
  });

  it('trusts exactly one proxy hop, and only nginx can reach the servers', () => {
    expect(compose.services.server.environment.TRUST_PROXY).toBe('1');
    expect(compose.services.server.ports).toBeUndefined();
    expect(compose.services.proxy.volumes[0]).toMatch(/^\.\/deploy\/nginx\.conf:/);
  });

  it('lets a server finish its shutdown (delay and drain) before Docker kills it', () => {
    expect(compose.services.server.stop_grace_period).toBe('20s');
  });

  it('gives the servers a metrics token, demanded like the JWT secret', () => {
    expect(compose.services.server.environment.METRICS_TOKEN).toMatch(/^\$\{METRICS_TOKEN:\?/);
  });

  it('builds mail links from a public origin and keeps the outbox on a volume the server can write', () => {
    const env = compose.services.server.environment;
    expect(env.PUBLIC_URL).toMatch(/^\$\{PUBLIC_URL:-http:\/\/localhost:8080\}$/);
    expect(env.SMTP_URL).toMatch(/^\$\{SMTP_URL:-\}$/);
    expect(compose.services.server.volumes).toContain('keel-data:/data');
    expect(Object.keys(compose.volumes)).toContain('keel-data');
    // The image's DATA_DIR is that mount point, created for the user the server runs as.
    expect(dockerfile).toMatch(/^ENV .*\bDATA_DIR=\/data\b/m);
    expect(dockerfile).toMatch(/^RUN mkdir -p \/data && chown node:node \/data$/m);
    expect(dockerfile.indexOf('chown node:node /data')).toBeLessThan(dockerfile.indexOf('USER node'));
  });

  it('starts the servers only once the services are healthy', () => {
    expect(compose.services.server.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    expect(compose.services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(compose.services.redis.healthcheck.test).toContain('ping');
  });

  it('gives the proxy the configuration file it mounts', () => {
    const [source] = String(compose.services.proxy.volumes[0]).split(':');
    const conf = readFileSync(resolve(root, source as string), 'utf8');
    expect(conf).toContain('proxy_pass http://keel');
    expect(conf).toContain('proxy_buffering off');
  });
});

describe('deploy/nginx.conf', () => {
  const conf = readFileSync(resolve(root, 'deploy/nginx.conf'), 'utf8');
  /** The directives, without comments. */
  const directives = conf.replace(/#.*$/gm, '');

  it("replaces the client's X-Forwarded-For with the address nginx saw, never appends to it", () => {
    expect(directives).toMatch(/proxy_set_header\s+X-Forwarded-For\s+\$remote_addr;/);
    expect(directives).not.toContain('$proxy_add_x_forwarded_for');
  });

  it('does not serve /metrics', () => {
    expect(directives).toMatch(/location\s+=\s+\/metrics\s*\{\s*(return\s+404|deny\s+all);/);
  });
});
