// The frame's team switcher: "Personal" (the caller's own projects) first, then each team of
// teams.list; choosing a team always opens the team's page, whose "Projects" section leads on to
// `/projects?team=`. The current team is the team page's, or the projects page's `?team=`. React
// Aria's menu gives the keyboard handling and the roles (the current choice is a checked radio
// item), as in the row menus.
import { useQuery } from '@tanstack/react-query';
import { useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { FRAME_QUERY } from '../lib/page-refusal.js';
import { useTRPC } from '../lib/trpc.js';

const PERSONAL = 'personal';

export function TeamSwitcher({ onSwitched }: { onSwitched: () => void }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const params = useParams({ strict: false });
  const search = useSearch({ strict: false });
  const teamId = params.teamId ?? search.team;
  const teams = useQuery({ ...trpc.teams.list.queryOptions(), meta: FRAME_QUERY });
  const list = teams.data ?? [];
  const current = list.find((team) => team.id === teamId);
  // A team page not (yet) in the list still is not "Personal": its own page names it.
  const currentName = current?.name ?? (teamId ? 'a team' : 'Personal');
  return (
    <MenuTrigger>
      <Button className="button-secondary team-switcher-button">
        <span className="team-switcher-label">Team:</span> {currentName} <span aria-hidden="true">▾</span>
      </Button>
      <Popover className="menu-popover" placement="bottom start">
        <Menu
          className="menu"
          aria-label="Switch team"
          selectionMode="single"
          selectedKeys={[current?.id ?? (teamId ? '' : PERSONAL)]}
          onAction={(key) => {
            onSwitched();
            if (key === PERSONAL) void navigate({ to: '/projects' });
            else void navigate({ to: '/teams/$teamId', params: { teamId: String(key) } });
          }}
        >
          <MenuItem id={PERSONAL} className="menu-item" textValue="Personal">
            Personal
          </MenuItem>
          {list.map((team) => (
            <MenuItem key={team.id} id={team.id} className="menu-item" textValue={team.name}>
              {team.name}
              <span className="menu-item-note">{team.role}</span>
            </MenuItem>
          ))}
        </Menu>
      </Popover>
    </MenuTrigger>
  );
}
