// The person's keys, newest first; an active one has "Revoke…", a revoked or expired one only says so.
import { API_KEY_HEADERS, type ApiKey, ApiKeyCells, keyPreview } from './api-key-cells.js';

export function ApiKeysTable({
  keys,
  busy,
  onRevoke,
}: {
  keys: ApiKey[];
  /** Fresher rows are on their way. */
  busy: boolean;
  onRevoke: (apiKey: ApiKey) => void;
}) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="api-keys-list-title" aria-busy={busy}>
        <thead>
          <tr>
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
              <ApiKeyCells apiKey={apiKey} />
              <td className="actions-cell">
                <div className="row-actions">
                  {apiKey.status === 'active' ? (
                    <button
                      type="button"
                      className="button-secondary"
                      // Names are not unique: the prefix says which key the button ends.
                      aria-label={`Revoke ${apiKey.name} (${keyPreview(apiKey.prefix)})`}
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
