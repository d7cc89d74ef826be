// The projects toolbar: search, sort and (for admins) every owner's projects; each change lands in the URL.
import { ProjectSort } from '@keel/api/schemas';
import { SearchField } from '../../components/search-field.js';
import { SelectField } from '../../components/ui.js';
import { ProjectsSearch } from '../../lib/search-params.js';

const SORT_LABELS: Record<ProjectSort, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  name: 'Name A–Z',
  '-name': 'Name Z–A',
};

/** Every change but paging starts again at page 1: page 3 of another search means nothing. */
export function ProjectsFilters({
  search,
  showScope,
  onChange,
}: {
  search: ProjectsSearch;
  /** Only admins may list every owner's projects. */
  showScope: boolean;
  onChange: (changes: Partial<ProjectsSearch>) => void;
}) {
  return (
    <search className="toolbar">
      <SearchField label="Search by name" applied={search.q} onApply={(q) => onChange({ q, page: undefined })} />
      <SelectField
        label="Sort"
        value={search.sort}
        onChange={(e) => onChange({ sort: ProjectsSearch.shape.sort.parse(e.target.value), page: undefined })}
      >
        {ProjectSort.options.map((sort) => (
          <option key={sort} value={sort}>
            {SORT_LABELS[sort]}
          </option>
        ))}
      </SelectField>
      {showScope ? (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={search.scope === 'all'}
            onChange={(e) => onChange({ scope: e.target.checked ? 'all' : 'mine', page: undefined })}
          />
          Every owner's projects
        </label>
      ) : null}
    </search>
  );
}
