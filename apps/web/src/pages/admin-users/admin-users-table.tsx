// The admin users table: role select, activate / deactivate, grant credits and the user's audit trail per row.
import type { RouterOutputs } from '@keel/api';
import { RoleSchema } from '@keel/api/schemas';
import { Link } from '@tanstack/react-router';
import { formatDateTime } from '../../lib/format.js';

export type AdminUser = RouterOutputs['admin']['users']['list']['items'][number];

export function AdminUsersTable({
  users,
  busy,
  myId,
  roleBusy,
  onRole,
  onGrant,
  onActivate,
  onDeactivate,
}: {
  users: AdminUser[];
  /** A newer page is on its way (the rows shown are the previous ones). */
  busy: boolean;
  /** The signed-in admin, who may not deactivate themselves. */
  myId: string;
  /** A role change is in flight: every role select waits for it. */
  roleBusy: boolean;
  onRole: (user: AdminUser, role: AdminUser['role']) => void;
  onGrant: (user: AdminUser) => void;
  onActivate: (user: AdminUser) => void;
  onDeactivate: (user: AdminUser) => void;
}) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="users-title" aria-busy={busy}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Joined</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} data-user-email={user.email}>
              <td data-label="Name">{user.name}</td>
              <td data-label="Email">{user.email}</td>
              <td data-label="Role">
                <select
                  aria-label={`Role of ${user.email}`}
                  value={user.role}
                  disabled={roleBusy}
                  onChange={(e) => {
                    const role = RoleSchema.safeParse(e.target.value);
                    if (role.success) onRole(user, role.data);
                  }}
                >
                  {RoleSchema.options.map((role) => (
                    <option key={role} value={role}>
                      {role}
                    </option>
                  ))}
                </select>
              </td>
              <td data-label="Status">
                <span className={user.active ? 'tag tag-ok' : 'tag tag-off'}>
                  {user.active ? 'Active' : 'Deactivated'}
                </span>
              </td>
              <td data-label="Joined">{formatDateTime(user.createdAt)}</td>
              <td className="actions-cell">
                <div className="row-actions">
                  <button
                    type="button"
                    className="button-secondary"
                    aria-label={`Grant credits to ${user.email}`}
                    onClick={() => onGrant(user)}
                  >
                    Grant credits
                  </button>
                  {user.active ? (
                    <button
                      type="button"
                      className="button-danger"
                      disabled={user.id === myId}
                      title={user.id === myId ? 'You cannot deactivate yourself' : undefined}
                      aria-label={`Deactivate ${user.email}`}
                      onClick={() => onDeactivate(user)}
                    >
                      Deactivate
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="button-secondary"
                      aria-label={`Activate ${user.email}`}
                      onClick={() => onActivate(user)}
                    >
                      Activate
                    </button>
                  )}
                  <Link to="/admin/audit" search={{ userId: user.id }}>
                    Activity
                  </Link>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
