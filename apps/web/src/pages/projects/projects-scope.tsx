// Whose projects the page lists: "Personal" (the caller's own) or one of the caller's teams, with
// their role there. The choice is the URL's `?team=`, so a reload or a shared link shows the same.
import type { RouterOutputs } from '@keel/api';
import { SelectField } from '../../components/ui.js';

export type TeamChoice = RouterOutputs['teams']['list'][number];

const PERSONAL = '';

export function ProjectsScope({
  teams,
  team,
  onChange,
}: {
  teams: TeamChoice[];
  /** The URL's `?team=` as typed; undefined for the personal projects. */
  team: string | undefined;
  onChange: (team: string | undefined) => void;
}) {
  // A team the list does not hold (a stale link, or one the caller just left) still gets an option,
  // so the select shows what the URL says instead of silently showing "Personal".
  const unknown = team !== undefined && !teams.some((choice) => choice.id === team);
  return (
    <SelectField
      label="Projects of"
      name="team"
      value={team ?? PERSONAL}
      onChange={(e) => onChange(e.target.value === PERSONAL ? undefined : e.target.value)}
    >
      <option value={PERSONAL}>Personal</option>
      {teams.map((choice) => (
        <option key={choice.id} value={choice.id}>
          {choice.name} ({choice.role})
        </option>
      ))}
      {unknown ? <option value={team}>Unknown team</option> : null}
    </SelectField>
  );
}
