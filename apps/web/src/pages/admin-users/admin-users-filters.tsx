// The admin users toolbar: search, role, status and sort; each change lands in the URL.
import { AdminUserSort, RoleSchema } from '@keel/api/schemas';
import { SearchField } from '../../components/search-field.js';
import { SelectField } from '../../components/ui.js';
import { AdminUsersSearch } from '../../lib/search-params.js';

const SORT_LABELS: Record<AdminUserSort, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  name: 'Name A–Z',
  '-name': 'Name Z–A',
  email: 'Email A–Z',
  '-email': 'Email Z–A',
};

/** A new filter starts again at page 1; a new sort keeps the page. */
export function AdminUsersFilters({
  search,
  onChange,
}: {
  search: AdminUsersSearch;
  onChange: (changes: Partial<AdminUsersSearch>) => void;
}) {
  return (
    <search className="toolbar">
      <SearchField label="Search name or email" applied={search.q} onApply={(q) => onChange({ q, page: undefined })} />
      <SelectField
        label="Role"
        value={search.role ?? ''}
        // "Any role" (the empty value) is no role filter: the schema's fallback.
        onChange={(e) => onChange({ role: AdminUsersSearch.shape.role.parse(e.target.value), page: undefined })}
      >
        <option value="">Any role</option>
        {RoleSchema.options.map((role) => (
          <option key={role} value={role}>
            {role}
          </option>
        ))}
      </SelectField>
      <SelectField
        label="Status"
        value={search.active === undefined ? '' : String(search.active)}
        onChange={(e) =>
          onChange({ active: e.target.value === '' ? undefined : e.target.value === 'true', page: undefined })
        }
      >
        <option value="">Any status</option>
        <option value="true">Active</option>
        <option value="false">Deactivated</option>
      </SelectField>
      <SelectField
        label="Sort"
        value={search.sort}
        onChange={(e) => onChange({ sort: AdminUsersSearch.shape.sort.parse(e.target.value) })}
      >
        {AdminUserSort.options.map((sort) => (
          <option key={sort} value={sort}>
            {SORT_LABELS[sort]}
          </option>
        ))}
      </SelectField>
    </search>
  );
}
