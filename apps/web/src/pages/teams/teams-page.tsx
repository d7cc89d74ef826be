// Teams: the caller's teams with their role in each (teams.list), each opening its page, and the
// "Create team" form for those who may write (a GUEST only joins teams by invitation).
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { EmptyState, ErrorState, Loading, usePageTitle } from '../../components/ui.js';
import { formatDateTime } from '../../lib/format.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';
import { CreateTeamForm } from './create-team-form.js';

export function TeamsPage() {
  usePageTitle('Teams');
  const trpc = useTRPC();
  const user = useCurrentUser();
  const navigate = useNavigate();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const canCreate = user.role !== 'GUEST';

  return (
    <section aria-labelledby="teams-title">
      <h1 id="teams-title">Teams</h1>
      {canCreate ? (
        <CreateTeamForm onCreated={(team) => void navigate({ to: '/teams/$teamId', params: { teamId: team.id } })} />
      ) : null}
      {teams.isPending ? (
        <Loading label="Loading your teams…" />
      ) : teams.isError ? (
        <ErrorState error={teams.error} onRetry={() => void teams.refetch()} />
      ) : teams.data.length === 0 ? (
        <EmptyState>
          {canCreate
            ? 'You are in no team yet. Create one, or open an invitation someone sent you.'
            : 'You are in no team yet: a team member can invite you.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="teams-title">
            <thead>
              <tr>
                <th scope="col">Team</th>
                <th scope="col">Your role</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {teams.data.map((team) => (
                <tr key={team.id} data-team-name={team.name}>
                  <td data-label="Team" className="cell-wrap">
                    <Link to="/teams/$teamId" params={{ teamId: team.id }}>
                      {team.name}
                    </Link>
                  </td>
                  <td data-label="Your role">
                    <span className="tag">{team.role}</span>
                  </td>
                  <td data-label="Created">{formatDateTime(team.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
