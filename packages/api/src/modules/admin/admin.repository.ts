// SQL for the admin console: the user directory, the rows an admin change must lock, dashboard counts.

import type { DB, Role, UserRow } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { containsPattern } from '../../common/like.js';

export type UserSortKey = 'created_at' | 'name' | 'email';

export interface UserListFilter {
  search?: string | undefined;
  role?: Role | undefined;
  active?: boolean | undefined;
}

function filteredUsers(db: Kysely<DB>, filter: UserListFilter) {
  let query = db.selectFrom('users');
  if (filter.search) {
    const pattern = containsPattern(filter.search);
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern)]));
  }
  if (filter.role) query = query.where('role', '=', filter.role);
  if (filter.active !== undefined) query = query.where('active', '=', filter.active);
  return query;
}

export function listUsers(
  db: Kysely<DB>,
  filter: UserListFilter & { sortKey: UserSortKey; descending: boolean; offset: number; limit: number },
): Promise<UserRow[]> {
  const direction = filter.descending ? 'desc' : 'asc';
  return (
    filteredUsers(db, filter)
      .selectAll()
      // Names in reading order, case and accents aside (the `name_sort` collation and its index).
      .orderBy(filter.sortKey, (order) => (filter.sortKey === 'name' ? order.collate('name_sort') : order)[direction]())
      // The id makes the order total, so pages neither repeat nor skip rows with equal keys.
      .orderBy('id', direction)
      .offset(filter.offset)
      .limit(filter.limit)
      .execute()
  );
}

export async function countUsers(db: Kysely<DB>, filter: UserListFilter): Promise<number> {
  const row = await filteredUsers(db, filter)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Locks the target user and every active admin, in one statement in ascending id order (the order
 * every credit lock uses too). Holding all active admins serializes the changes that could remove
 * the last one: two concurrent demotions cannot both count the other as remaining.
 */
export function lockUserAndActiveAdmins(db: Transaction<DB>, userId: string): Promise<UserRow[]> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) =>
      eb.or([eb('id', '=', userId), eb.and([eb('role', '=', 'ADMIN' satisfies Role), eb('active', '=', true)])]),
    )
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
}

export interface StatsRow {
  total: number;
  admins: number;
  users: number;
  guests: number;
  active: number;
  projects: number;
  transfersLast24h: number;
}

/** Every dashboard count in one statement. */
export async function readStats(db: Kysely<DB>): Promise<StatsRow> {
  const row = await db
    .selectFrom('users')
    .select((eb) => [
      eb.fn.countAll<number>().as('total'),
      eb.fn
        .countAll<number>()
        .filterWhere('role', '=', 'ADMIN' satisfies Role)
        .as('admins'),
      eb.fn
        .countAll<number>()
        .filterWhere('role', '=', 'USER' satisfies Role)
        .as('users'),
      eb.fn
        .countAll<number>()
        .filterWhere('role', '=', 'GUEST' satisfies Role)
        .as('guests'),
      eb.fn.countAll<number>().filterWhere('active', '=', true).as('active'),
      eb
        .selectFrom('projects')
        .select((sub) => sub.fn.countAll<number>().as('count'))
        .as('projects'),
      eb
        .selectFrom('transfers')
        .select((sub) => sub.fn.countAll<number>().as('count'))
        .where('created_at', '>', sql<Date>`now() - interval '24 hours'`)
        .as('transfersLast24h'),
    ])
    .executeTakeFirstOrThrow();
  return {
    total: Number(row.total),
    admins: Number(row.admins),
    users: Number(row.users),
    guests: Number(row.guests),
    active: Number(row.active),
    projects: Number(row.projects),
    transfersLast24h: Number(row.transfersLast24h),
  };
}
