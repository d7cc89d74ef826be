// Moving a project between its owner's personal projects and a team (projects.update with `teamId`):
// into a team where the owner is a MEMBER or above, or back to personal. A name the other side
// already uses is the server's 409, shown at the team field (or in the dialog, moving back).
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert, ConfirmDialog, SelectField } from '../../components/ui.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import type { TeamChoice } from './projects-scope.js';

export type Moving =
  | { to: 'team'; project: { id: string; name: string } }
  | { to: 'personal'; project: { id: string; name: string }; teamName: string };

/**
 * Open while `moving` is set. Render it keyed by the project's id, as the delete dialog is: each
 * opening starts with a fresh mutation and no error of an earlier attempt.
 */
export function MoveProjectDialog({
  moving,
  teams,
  onCancel,
  onMoved,
}: {
  moving: Moving | null;
  /** The teams a project may move into: those where the caller is a MEMBER or above. */
  teams: TeamChoice[];
  onCancel: () => void;
  onMoved: (message: string) => Promise<void>;
}) {
  const trpc = useTRPC();
  const [teamId, setTeamId] = useState(teams[0]?.id ?? '');
  const move = useMutation(
    trpc.projects.update.mutationOptions({
      onSuccess: (project) => {
        const team = teams.find((choice) => choice.id === project.teamId);
        return onMoved(
          team ? `Moved “${project.name}” to ${team.name}.` : `Moved “${project.name}” to your personal projects.`,
        );
      },
    }),
  );
  const clash = move.isError && errorCode(move.error) === 'CONFLICT';
  const refusal = move.isError ? errorMessage(move.error) : undefined;

  if (moving?.to === 'personal') {
    return (
      <ConfirmDialog
        open
        title="Move to personal?"
        confirmLabel="Move to personal"
        busy={move.isPending}
        onCancel={onCancel}
        onConfirm={() => move.mutate({ id: moving.project.id, teamId: null })}
      >
        <p>
          “{moving.project.name}” leaves {moving.teamName} and becomes one of your personal projects: the team's other
          members no longer see it.
        </p>
        {refusal ? <Alert tone="error">{refusal}</Alert> : null}
      </ConfirmDialog>
    );
  }
  return (
    <ConfirmDialog
      open={moving !== null}
      title="Move to a team"
      confirmLabel="Move"
      busy={move.isPending || teamId === ''}
      onCancel={onCancel}
      onConfirm={() => moving && teamId && move.mutate({ id: moving.project.id, teamId })}
    >
      <p>“{moving?.project.name}” leaves your personal projects: every member of the team sees it.</p>
      <SelectField
        label="Team"
        name="teamId"
        value={teamId}
        error={clash ? refusal : undefined}
        onChange={(e) => {
          move.reset();
          setTeamId(e.target.value);
        }}
      >
        {teams.map((team) => (
          <option key={team.id} value={team.id}>
            {team.name} ({team.role})
          </option>
        ))}
      </SelectField>
      {refusal && !clash ? <Alert tone="error">{refusal}</Alert> : null}
    </ConfirmDialog>
  );
}
