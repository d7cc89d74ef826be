// The confirmation before a key is revoked (every call with it is refused from then on, for good).
import { ConfirmDialog } from '../../components/ui.js';
import { type ApiKey, keyPreview } from './api-key-cells.js';

/** Open while `apiKey` is set; `owner` names whose scripts stop, when it is not the caller's own key. */
export function RevokeKeyDialog<Key extends ApiKey>({
  apiKey,
  owner,
  busy,
  onCancel,
  onConfirm,
}: {
  apiKey: Key | null;
  owner?: string | undefined;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (apiKey: Key) => void;
}) {
  return (
    <ConfirmDialog
      open={apiKey !== null}
      title="Revoke the API key?"
      confirmLabel="Revoke"
      busy={busy}
      onCancel={onCancel}
      onConfirm={() => apiKey && onConfirm(apiKey)}
    >
      <p>
        Every call with “{apiKey?.name}” (<code>{apiKey ? keyPreview(apiKey.prefix) : null}</code>) is refused from now
        on{owner ? `: the scripts of ${owner} that use it stop working` : ': scripts that use it stop working'}. A
        revoked key cannot be restored; create a new one if you need it again.
      </p>
    </ConfirmDialog>
  );
}
