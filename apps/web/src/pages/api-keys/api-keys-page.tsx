// API keys: create a key for a script (shown once, with Copy and Done), and the list of the
// person's keys with their last use, each active one revocable after a confirmation.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useToast } from '../../components/toasts.js';
import { Alert, EmptyState, ErrorState, Loading, usePageTitle } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import { type ApiKey, keyPreview } from './api-key-cells.js';
import { ApiKeysTable } from './api-keys-table.js';
import { type CreatedApiKey, CreateKeyForm } from './create-key-form.js';
import { NewKeyPanel } from './new-key-panel.js';
import { RevokeKeyDialog } from './revoke-key-dialog.js';

export function ApiKeysPage() {
  usePageTitle('API keys');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const keys = useQuery(trpc.apiKeys.list.queryOptions());
  // Only in this state, and only until Done (or leaving the page): the server cannot show it again.
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const revoke = useMutation(
    trpc.apiKeys.revoke.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (_result, input) => {
        const apiKey = keys.data?.items.find((item) => item.id === input.id);
        toast(
          apiKey
            ? `The key “${apiKey.name}” (${keyPreview(apiKey.prefix)}) is revoked: calls with it are refused.`
            : 'The key is revoked.',
        );
        setRevoking(null);
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
      onError: (error) => {
        setRevoking(null);
        setActionError(errorMessage(error));
        // Revoked or expired meanwhile (another tab, an admin): the list says so once fetched again.
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
      },
    }),
  );

  return (
    <section aria-labelledby="api-keys-title">
      <h1 id="api-keys-title">API keys</h1>
      <p className="muted">
        A key lets a script call Keel's API as you, without your password: send it as a bearer token. Revoke a key as
        soon as a script no longer needs it.
      </p>
      {created ? <NewKeyPanel created={created} onDone={() => setCreated(null)} /> : null}
      <CreateKeyForm onCreated={setCreated} />

      <h2 id="api-keys-list-title">Your keys</h2>
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}
      {keys.isPending ? (
        <Loading label="Loading your keys…" />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : keys.data.items.length === 0 ? (
        <EmptyState>No API key yet. Create one above for your first script.</EmptyState>
      ) : (
        <ApiKeysTable
          keys={keys.data.items}
          labelledBy="api-keys-list-title"
          busy={keys.isFetching}
          onRevoke={setRevoking}
        />
      )}

      <RevokeKeyDialog
        apiKey={revoking}
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={(apiKey) => revoke.mutate({ id: apiKey.id })}
      />
    </section>
  );
}
