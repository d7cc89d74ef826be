// Every user's keys, newest first, each with its owner (a link to their page); an active key has
// "Revoke…", a revoked or expired one only says so.
import type { RouterOutputs } from '@keel/api';
import { Link } from '@tanstack/react-router';
import { API_KEY_HEADERS, ApiKeyCells, keyPreview } from '../api-keys/api-key-cells.js';

export type AdminApiKey = RouterOutputs['admin']['apiKeys']['list']['items'][number];

export function AdminApiKeysTable({
  keys,
  busy,
  onRevoke,
}: {
  keys: AdminApiKey[];
  /** Fresher rows are on their way. */
  busy: boolean;
  onRevoke: (apiKey: AdminApiKey) => void;
}) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="admin-api-keys-title" aria-busy={busy}>
        <thead>
          <tr>
            <th scope="col">Owner</th>
            {API_KEY_HEADERS.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((apiKey) => (
            <tr key={apiKey.id} data-key-prefix={apiKey.prefix}>
              <td data-label="Owner" className="cell-wrap apikey-name">
                {apiKey.owner ? (
                  <>
                    <Link to="/admin/users/$userId" params={{ userId: apiKey.owner.id }}>
                      {apiKey.owner.name}
                    </Link>
                    <span className="cell-note">{apiKey.owner.email}</span>
                  </>
                ) : (
                  <span className="muted">a removed account</span>
                )}
              </td>
              <ApiKeyCells apiKey={apiKey} />
              <td className="actions-cell">
                <div className="row-actions">
                  {apiKey.status === 'active' ? (
                    <button
                      type="button"
                      className="button-secondary"
                      aria-label={`Revoke ${apiKey.name} (${keyPreview(apiKey.prefix)})${apiKey.owner ? ` of ${apiKey.owner.email}` : ''}`}
                      onClick={() => onRevoke(apiKey)}
                    >
                      Revoke…
                    </button>
                  ) : null}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
