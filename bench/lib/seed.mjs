// Seeds a bench database through the real migrations: one owner with 1 000 projects, 100 users
// with credits, users for sign-in, and a signed access token per user (the server's own signer).
import { createPasswordHasher, createTokenService } from '@keel/api/server';
import { createDatabase, migrateToLatest } from '@keel/db';
import argon2 from 'argon2';
import { sql } from 'kysely';

export const PASSWORD = 'Bench-Passw0rd';
/** The hash every seeded user has is made at the production cost (m=64 MiB, t=3, p=4). */
export const ARGON2_PARAMS = { type: argon2.argon2id, memoryCost: 65_536, timeCost: 3, parallelism: 4 };
export const PROJECTS = 1_000;
export const TRANSFER_USERS = 100;
export const LOGIN_USERS = 50;
export const START_BALANCE = 1_000_000;

export async function seed({ url, secret, issuer = 'keel', audience = 'keel-api' }) {
  const database = createDatabase({ url, poolMax: 4 });
  try {
    await migrateToLatest(database.db);
    const db = database.db;
    // Keel's own hasher, so the stored string is exactly what the server writes and a sign-in never
    // pays for a one-time rehash (which would halve the sign-in figure of a 10 s run).
    const hasher = createPasswordHasher({
      memoryCost: ARGON2_PARAMS.memoryCost,
      timeCost: ARGON2_PARAMS.timeCost,
      parallelism: ARGON2_PARAMS.parallelism,
      concurrency: 1,
      maxQueue: 0,
    });
    const passwordHash = await hasher.hash(PASSWORD);

    const owner = await db
      .insertInto('users')
      .values({ email: 'owner@bench.keel', name: 'Bench Owner', password_hash: passwordHash, role: 'USER' })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    const now = Date.now();
    const projects = Array.from({ length: PROJECTS }, (_, i) => ({
      owner_id: owner.id,
      name: `Project ${String(i).padStart(4, '0')}`,
      description: i % 3 === 0 ? null : `Seeded project number ${i} for the load benchmark.`,
      created_at: new Date(now - i * 60_000),
      updated_at: new Date(now - i * 30_000),
    }));
    for (let i = 0; i < projects.length; i += 250) {
      await db
        .insertInto('projects')
        .values(projects.slice(i, i + 250))
        .execute();
    }

    const transferUsers = await db
      .insertInto('users')
      .values(
        Array.from({ length: TRANSFER_USERS }, (_, i) => ({
          email: `payer-${String(i).padStart(3, '0')}@bench.keel`,
          name: `Payer ${i}`,
          password_hash: passwordHash,
          role: 'USER',
          balance: START_BALANCE,
        })),
      )
      .returning(['id'])
      .execute();
    const loginUsers = await db
      .insertInto('users')
      .values(
        Array.from({ length: LOGIN_USERS }, (_, i) => ({
          email: `login-${String(i).padStart(3, '0')}@bench.keel`,
          name: `Login ${i}`,
          password_hash: passwordHash,
          role: 'USER',
        })),
      )
      .returning(['email'])
      .execute();

    // Sessions as a sign-in would leave them, and tokens signed exactly as the server signs them
    // (an hour long so that a long run never sees them expire).
    const tokens = await createTokenService({ secret, issuer, audience, accessTtlSeconds: 3_600 });
    const expiresAt = new Date(now + 7 * 86_400_000);
    async function signIn(userId) {
      const session = await db
        .insertInto('sessions')
        .values({ user_id: userId, expires_at: expiresAt, user_agent: 'keel-bench', ip: '127.0.0.1' })
        .returning(['id'])
        .executeTakeFirstOrThrow();
      return tokens.signAccess({ userId, role: 'USER', sessionId: session.id });
    }
    const ownerToken = await signIn(owner.id);
    const payers = [];
    for (const user of transferUsers) payers.push({ id: user.id, token: await signIn(user.id) });

    await sql`analyze`.execute(db);
    return { owner: { id: owner.id, token: ownerToken }, payers, loginEmails: loginUsers.map((u) => u.email) };
  } finally {
    await database.close();
  }
}

/** Sum of every balance and number of transfers: a transfer run must leave the sum unchanged. */
export async function creditTotals(url) {
  const database = createDatabase({ url, poolMax: 1 });
  try {
    const row = await database.db
      .selectFrom('users')
      .select((eb) => [eb.fn.sum('balance').as('sum'), eb.fn.min('balance').as('min')])
      .executeTakeFirstOrThrow();
    const transfers = await database.db
      .selectFrom('transfers')
      .select((eb) => eb.fn.countAll().as('count'))
      .executeTakeFirstOrThrow();
    return { sum: Number(row.sum), min: Number(row.min), transfers: Number(transfers.count) };
  } finally {
    await database.close();
  }
}
