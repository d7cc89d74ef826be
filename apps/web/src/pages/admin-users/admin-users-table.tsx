// The admin users table: sortable by name, email and join date from the headers; each name opens
// the user's page; a role select per row, and the row menu: grant credits, activate / deactivate,
// the user's audit trail.
import type { RouterOutputs } from '@keel/api';
import type { AdminUserSort } from '@keel/api/schemas';
import { Link, useNavigate } from '@tanstack/react-router';
import { RowActions } from '../../components/row-actions.js';
import { SortableHeader } from '../../components/sortable-header.js';
import { formatDateTime } from '../../lib/format.js';
import { RoleSelect } from './role-select.js';

export type AdminUser = RouterOutputs['admin']['users']['list']['items'][number];

export function AdminUsersTable({
  users,
  busy,
  myId,
  roleBusy,
  sort,
  onSort,
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
  sort: AdminUserSort;
  onSort: (sort: AdminUserSort) => void;
  onRole: (user: AdminUser, role: AdminUser['role']) => void;
  onGrant: (user: AdminUser) => void;
  onActivate: (user: AdminUser) => void;
  onDeactivate: (user: AdminUser) => void;
}) {
  const navigate = useNavigate();
  return (
    <div className="table-wrap">
      <table aria-labelledby="users-title" aria-busy={busy}>
        <thead>
          <tr>
            <SortableHeader column="name" sort={sort} onSort={onSort}>
              Name
            </SortableHeader>
            <SortableHeader column="email" sort={sort} onSort={onSort}>
              Email
            </SortableHeader>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <SortableHeader column="createdAt" sort={sort} onSort={onSort} firstDirection="descending">
              Joined
            </SortableHeader>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {users.map((user) => (
            <tr key={user.id} data-user-email={user.email}>
              <td data-label="Name" className="cell-wrap">
                <Link to="/admin/users/$userId" params={{ userId: user.id }}>
                  {user.name}
                </Link>
              </td>
              <td data-label="Email" className="cell-wrap">
                {user.email}
              </td>
              <td data-label="Role">
                <RoleSelect user={user} disabled={roleBusy} onRole={(role) => onRole(user, role)} />
              </td>
              <td data-label="Status">
                <span className={user.active ? 'tag tag-ok' : 'tag tag-off'}>
                  {user.active ? 'Active' : 'Deactivated'}
                </span>
              </td>
              <td data-label="Joined">{formatDateTime(user.createdAt)}</td>
              <td className="actions-cell">
                <RowActions
                  label={`Actions for ${user.email}`}
                  actions={[
                    { id: 'grant', label: 'Grant credits…', onAction: () => onGrant(user) },
                    user.active
                      ? {
                          id: 'deactivate',
                          label: 'Deactivate…',
                          danger: true,
                          disabled: user.id === myId && { reason: 'You cannot deactivate yourself' },
                          onAction: () => onDeactivate(user),
                        }
                      : { id: 'activate', label: 'Activate', onAction: () => onActivate(user) },
                    {
                      id: 'activity',
                      label: 'Activity in the audit log',
                      onAction: () => void navigate({ to: '/admin/audit', search: { userId: user.id } }),
                    },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
