// API keys, newest first: the person's own on /api-keys, every user's (with an Owner column) on
// /admin/api-keys. An active one has "Revoke…", a revoked or expired one only says so.
import type { ReactNode } from 'react';
import { API_KEY_HEADERS, type ApiKey, ApiKeyCells, keyPreview } from './api-key-cells.js';

/** The first column of a list that holds several people's keys. */
export type OwnerColumn<Key> = {
  cell: (apiKey: Key) => ReactNode;
  /** Said after the key in its Revoke button's name, when the key has an owner left. */
  emailOf: (apiKey: Key) => string | undefined;
};

export function ApiKeysTable<Key extends ApiKey>({
  keys,
  labelledBy,
  busy,
  onRevoke,
  owner,
}: {
  keys: Key[];
  /** The id of the heading that names the table. */
  labelledBy: string;
  /** Fresher rows are on their way. */
  busy: boolean;
  onRevoke: (apiKey: Key) => void;
  owner?: OwnerColumn<Key>;
}) {
  return (
    <div className="table-wrap">
      <table aria-labelledby={labelledBy} aria-busy={busy}>
        <thead>
          <tr>
            {owner ? <th scope="col">Owner</th> : null}
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
          {keys.map((apiKey) => {
            const ownerEmail = owner?.emailOf(apiKey);
            return (
              <tr key={apiKey.id} data-key-prefix={apiKey.prefix}>
                {owner ? (
                  <td data-label="Owner" className="cell-wrap apikey-name">
                    {owner.cell(apiKey)}
                  </td>
                ) : null}
                <ApiKeyCells apiKey={apiKey} />
                <td className="actions-cell">
                  <div className="row-actions">
                    {apiKey.status === 'active' ? (
                      <button
                        type="button"
                        className="button-secondary"
                        // Names are not unique: the prefix (and the owner) say which key the button ends.
                        aria-label={`Revoke ${apiKey.name} (${keyPreview(apiKey.prefix)})${ownerEmail ? ` of ${ownerEmail}` : ''}`}
                        onClick={() => onRevoke(apiKey)}
                      >
                        Revoke…
                      </button>
                    ) : null}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
