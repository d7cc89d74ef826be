// Row → API shape for users: explicit fields, so a password hash can never leak.
import type { UserRow } from '@keel/db';
import type { User, UserSummary } from './users.schema.js';

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    emailVerified: row.email_verified,
    avatarUrl: row.avatar_url,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toUserSummary(row: Pick<UserRow, 'id' | 'name' | 'email'>): UserSummary {
  return { id: row.id, name: row.name, email: row.email };
}
