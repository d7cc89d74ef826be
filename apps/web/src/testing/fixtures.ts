// Fixtures shared by the dashboard's unit tests: a signed-in user, and errors as the tRPC client raises them.
import { TRPCClientError } from '@trpc/client';
import type { User } from '../lib/auth-store.js';

export const user: User = {
  id: 'u1',
  email: 'a@example.com',
  name: 'A',
  role: 'USER',
  active: true,
  emailVerified: true,
  avatarUrl: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

/** The client's error for a server answer with this `error.data` (the application code and the rest). */
export function apiError(message: string, data: Record<string, unknown>): TRPCClientError<never> {
  return TRPCClientError.from({ error: { message, code: -32600, data } });
}
