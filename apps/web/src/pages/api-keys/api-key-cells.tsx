// What a key's row shows, on the person's page and the admin's alike: its public part, its scope,
// where it stands, and when it was last used.
import type { RouterOutputs } from '@keel/api';
import { formatDateTime, formatRelative } from '../../lib/format.js';

export type ApiKey = RouterOutputs['apiKeys']['list']['items'][number];
export type ApiKeyScope = ApiKey['scope'];
export type ApiKeyStatus = ApiKey['status'];

export const SCOPE_LABELS: Record<ApiKeyScope, string> = { read: 'Read', write: 'Write' };

/** What each scope lets a script do, under the form's choice. */
export const SCOPE_EXPLANATIONS: Record<ApiKeyScope, string> = {
  read: 'Reads only: lists and fetches, as you would see them. Every change is refused.',
  write:
    'Reads and changes, as you could make them yourself. No key changes your sign-in, manages keys or does admin work.',
};

export const STATUS_LABELS: Record<ApiKeyStatus, string> = {
  active: 'Active',
  expired: 'Expired',
  revoked: 'Revoked',
};

/** `keel_abcd1234_…`: the public part that tells keys apart; the secret after it is never shown again. */
export function keyPreview(prefix: string): string {
  return `keel_${prefix}_…`;
}

/** The cells from the key's name to its last use, in the order of `API_KEY_HEADERS`. */
export function ApiKeyCells({ apiKey }: { apiKey: ApiKey }) {
  return (
    <>
      <td data-label="Name" className="cell-wrap apikey-name">
        {apiKey.name}
      </td>
      <td data-label="Key">
        <code className="key-prefix">{keyPreview(apiKey.prefix)}</code>
      </td>
      <td data-label="Scope">{SCOPE_LABELS[apiKey.scope]}</td>
      <td data-label="Status">
        <span className={`tag apikey-${apiKey.status}`}>{STATUS_LABELS[apiKey.status]}</span>
        {apiKey.revokedAt ? <span className="cell-note">{formatDateTime(apiKey.revokedAt)}</span> : null}
      </td>
      <td data-label="Created">{formatDateTime(apiKey.createdAt)}</td>
      <td data-label="Expires">{formatDateTime(apiKey.expiresAt)}</td>
      <td data-label="Last used" title={apiKey.lastUsedAt ? formatDateTime(apiKey.lastUsedAt) : undefined}>
        {apiKey.lastUsedAt ? formatRelative(apiKey.lastUsedAt) : <span className="muted">Never</span>}
      </td>
    </>
  );
}

export const API_KEY_HEADERS = ['Name', 'Key', 'Scope', 'Status', 'Created', 'Expires', 'Last used'] as const;
