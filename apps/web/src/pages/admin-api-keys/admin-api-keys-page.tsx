// All API keys (an admin's own are on /api-keys too): every user's keys newest first with their
// owner, cursor paging with "Load more", and Revoke… (with a confirmation) for a key that must stop working now.
import type { RouterOutputs } from '@keel/api';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../components/toasts.js';
import { Alert, EmptyState, ErrorState, Loading, LoadMore, usePageTitle } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import { keyPreview } from '../api-keys/api-key-cells.js';
import { ApiKeysTable, type OwnerColumn } from '../api-keys/api-keys-table.js';
import { RevokeKeyDialog } from '../api-keys/revoke-key-dialog.js';

type AdminApiKey = RouterOutputs['admin']['apiKeys']['list']['items'][number];

const PAGE_SIZE = 25;

/** Whose key it is: a link to their page, or what is left of an account removed since. */
const OWNER: OwnerColumn<AdminApiKey> = {
  cell: ({ owner }) =>
    owner ? (
      <>
        <Link to="/admin/users/$userId" params={{ userId: owner.id }}>
          {owner.name}
        </Link>
        <span className="cell-note">{owner.email}</span>
      </>
    ) : (
      <span className="muted">a removed account</span>
    ),
  emailOf: ({ owner }) => owner?.email,
};

export function AdminApiKeysPage() {
  usePageTitle('All API keys');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const keys = useInfiniteQuery(
    trpc.admin.apiKeys.list.infiniteQueryOptions(
      { limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = keys.data?.pages.flatMap((page) => page.items) ?? [];
  const [revoking, setRevoking] = useState<AdminApiKey | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.apiKeys.list.pathKey() });
    // The audit log and the overview's recent events gain a line.
    void queryClient.invalidateQueries({ queryKey: trpc.admin.audit.list.pathKey() });
  };
  const revoke = useMutation(
    trpc.admin.apiKeys.revoke.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (_result, input) => {
        const apiKey = items.find((item) => item.id === input.id);
        toast(
          apiKey
            ? `The key “${apiKey.name}” (${keyPreview(apiKey.prefix)})${apiKey.owner ? ` of ${apiKey.owner.name}` : ''} is revoked.`
            : 'The key is revoked.',
        );
        setRevoking(null);
        refresh();
      },
      onError: (error) => {
        setRevoking(null);
        setActionError(errorMessage(error));
        // Revoked or expired meanwhile: the list says so once fetched again.
        refresh();
      },
    }),
  );

  return (
    <section aria-labelledby="admin-api-keys-title">
      <h1 id="admin-api-keys-title">All API keys</h1>
      <p className="muted">
        Every user's keys for scripts. Revoke one that leaked or that its owner can no longer revoke: calls with it are
        refused at once.
      </p>
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}
      {keys.isPending ? (
        <Loading label="Loading API keys…" />
      ) : keys.isError && items.length === 0 ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState>Nobody has created an API key yet.</EmptyState>
      ) : (
        <>
          <ApiKeysTable
            keys={items}
            labelledBy="admin-api-keys-title"
            busy={keys.isFetching}
            onRevoke={setRevoking}
            owner={OWNER}
          />
          <LoadMore pages={keys} />
        </>
      )}

      <RevokeKeyDialog
        apiKey={revoking}
        owner={revoking?.owner?.name}
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={(apiKey) => revoke.mutate({ id: apiKey.id })}
      />
    </section>
  );
}
