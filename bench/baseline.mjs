// The yardstick of the budgets: a bare node:http + pg server that does what projects.list does on the
// wire (same JWT check, same two SQL statements, same JSON) and nothing else.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { jwtVerify } from 'jose';
import pg from 'pg';
import parseTimestamp from 'postgres-date';

const env = process.env;
const secret = env.JWT_ACCESS_SECRET;
if (!secret) throw new Error('JWT_ACCESS_SECRET is required');
const issuer = env.JWT_ISSUER ?? 'keel';
const audience = env.JWT_AUDIENCE ?? 'keel-api';
const kid = createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12);
const key = await crypto.subtle.importKey(
  'raw',
  new TextEncoder().encode(secret),
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
);

// The same pool settings as @keel/db's connection factory.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, parseTimestamp);
const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.DATABASE_POOL_MAX ?? 10),
  statement_timeout: 10_000,
  connectionTimeoutMillis: 2_000,
  idleTimeoutMillis: 30_000,
});
pool.on('error', () => {});

// Exactly the statements Kysely compiles for projects.list({}) (page 1, limit 20, -createdAt, mine).
const PAGE_SQL =
  'select * from "projects" where "owner_id" = $1 and "team_id" is null order by "created_at" desc, "id" desc limit $2 offset $3';
const COUNT_SQL = 'select count(*) as "count" from "projects" where "owner_id" = $1 and "team_id" is null';
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

async function verify(authorization) {
  const token = authorization ? BEARER.exec(authorization)?.[1] : undefined;
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        if (header.kid !== kid) throw new Error('unknown key');
        return key;
      },
      { algorithms: ['HS256'], issuer, audience, requiredClaims: ['sub', 'exp', 'iat'] },
    );
    return typeof payload.sub === 'string' && typeof payload.sid === 'string' ? payload.sub : undefined;
  } catch {
    return undefined;
  }
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = createServer(async (req, res) => {
  if (!req.url?.startsWith('/trpc/projects.list')) return send(res, 404, { error: { message: 'Not found' } });
  const userId = await verify(req.headers.authorization);
  if (!userId) return send(res, 401, { error: { message: 'Authentication required' } });
  try {
    const [page, count] = await Promise.all([pool.query(PAGE_SQL, [userId, 20, 0]), pool.query(COUNT_SQL, [userId])]);
    const total = Number(count.rows[0].count);
    const items = page.rows.map((row) => ({
      id: row.id,
      ownerId: row.owner_id,
      teamId: row.team_id,
      name: row.name,
      description: row.description,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    }));
    send(res, 200, { result: { data: { items, total, page: 1, limit: 20, totalPages: Math.ceil(total / 20) } } });
  } catch {
    send(res, 500, { error: { message: 'Internal server error' } });
  }
});

server.listen(Number(env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address();
  process.stdout.write(`${JSON.stringify({ msg: 'baseline listening', address: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void pool.end().then(() => process.exit(0));
});
