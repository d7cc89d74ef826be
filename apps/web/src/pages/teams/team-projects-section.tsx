// The team page's "Projects": how many the team has and its newest few, with the way to all of them
// on the projects page (`/projects?team=`), where they are created, edited, moved and deleted.
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { EmptyState, ErrorState, Loading } from '../../components/ui.js';
import { useTRPC } from '../../lib/trpc.js';
import type { Team } from './team-page.js';

const SHOWN = 5;

export function TeamProjectsSection({ team }: { team: Team }) {
  const trpc = useTRPC();
  // The key shares projects.list's path: a live project.changed refreshes this too.
  const projects = useQuery(trpc.projects.list.queryOptions({ teamId: team.id, sort: '-createdAt', limit: SHOWN }));
  const all = (
    <Link to="/projects" search={{ team: team.id }}>
      All projects of {team.name}
    </Link>
  );
  return (
    <section className="team-section" aria-labelledby="team-projects-title">
      <h2 id="team-projects-title">Projects</h2>
      {projects.isPending ? (
        <Loading label="Loading projects…" />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projects.data.total === 0 ? (
        <EmptyState>
          No projects yet.{' '}
          <Link to="/projects" search={{ team: team.id }}>
            Open the team's projects
          </Link>
        </EmptyState>
      ) : (
        <>
          <p>
            {projects.data.total === 1 ? '1 project' : `${projects.data.total} projects`}
            {projects.data.total > SHOWN ? `, the newest ${SHOWN}:` : ':'}
          </p>
          <ul className="team-projects">
            {projects.data.items.map((project) => (
              <li key={project.id} className="cell-wrap">
                {project.name}
              </li>
            ))}
          </ul>
          <p>{all}</p>
        </>
      )}
    </section>
  );
}
