// The confirmation before a project is deleted for good; the delete itself, and its error, live here.
import { useMutation } from '@tanstack/react-query';
import { Alert, ConfirmDialog } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';

/**
 * Open while `project` is set. Render it keyed by the project's id: each opening then starts with
 * a fresh mutation, so the error of an earlier attempt does not show against another project.
 */
export function DeleteProjectDialog({
  project,
  onCancel,
  onDeleted,
}: {
  project: { id: string; name: string } | null;
  onCancel: () => void;
  onDeleted: (name: string) => Promise<void>;
}) {
  const trpc = useTRPC();
  const remove = useMutation(trpc.projects.delete.mutationOptions({ onSuccess: () => onDeleted(project?.name ?? '') }));
  return (
    <ConfirmDialog
      open={project !== null}
      title="Delete project?"
      confirmLabel="Delete project"
      busy={remove.isPending}
      onCancel={onCancel}
      onConfirm={() => project && remove.mutate({ id: project.id })}
    >
      <p>
        “{project?.name}” will be deleted for good. <strong>This cannot be undone.</strong>
      </p>
      {remove.isError ? <Alert tone="error">{errorMessage(remove.error)}</Alert> : null}
    </ConfirmDialog>
  );
}
