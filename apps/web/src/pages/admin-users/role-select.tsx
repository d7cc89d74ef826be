// The select an admin changes a user's role with (the users table's rows and the user's own page).
import { RoleSchema } from '@keel/api/schemas';
import type { AdminUser } from './admin-users-table.js';

export function RoleSelect({
  user,
  disabled,
  onRole,
}: {
  user: Pick<AdminUser, 'email' | 'role'>;
  /** A role change is in flight: the select waits for it. */
  disabled: boolean;
  onRole: (role: AdminUser['role']) => void;
}) {
  return (
    <select
      aria-label={`Role of ${user.email}`}
      value={user.role}
      disabled={disabled}
      onChange={(e) => {
        const role = RoleSchema.safeParse(e.target.value);
        if (role.success) onRole(role.data);
      }}
    >
      {RoleSchema.options.map((role) => (
        <option key={role} value={role}>
          {role}
        </option>
      ))}
    </select>
  );
}
