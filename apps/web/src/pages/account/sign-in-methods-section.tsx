// The account page's ways to sign in (docs/sso.md): the password, and the single sign-on accounts
// linked to this one (sso.identities) with Unlink (sso.unlink, refused for the last way in). "Link"
// asks the server's start route for the provider's address with fetch and this tab's token (a
// navigation would carry neither), then goes there; the provider sends the browser back to
// `/account?linked=sso`, or `/account?sso_error=<code>`, which this section shows once.
import type { Identity } from '@keel/api/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSsoError } from '../../components/sso.js';
import { useToast } from '../../components/toasts.js';
import { Alert, ConfirmDialog, EmptyState, ErrorState, Loading } from '../../components/ui.js';
import { useConsumedSearchParam } from '../../components/use-consumed-search-param.js';
import { errorMessage } from '../../lib/errors.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';
import { FRAME_QUERY } from '../../lib/page-refusal.js';
import { LINKED_SSO } from '../../lib/search-params.js';
import { useSession } from '../../lib/session-context.js';
import { issuerHost, OIDC_START, providerName } from '../../lib/sso.js';
import { useTRPC } from '../../lib/trpc.js';

/** Where the provider sends the browser back after a link: this page, saying it worked. */
const LINK_START = `${OIDC_START}?${new URLSearchParams({ link: '1', returnTo: `/account?linked=${LINKED_SSO}` })}`;

export function SignInMethodsSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const providers = useQuery(trpc.auth.providers.queryOptions());
  // The account page opens to an unconfirmed address and to a session without its second step;
  // sso.* is not auth.*, so the server may refuse it then: that refusal shows here, not in place of the page.
  const identities = useQuery({ ...trpc.sso.identities.queryOptions(), meta: FRAME_QUERY });
  const ssoError = useSsoError();
  useLinkedToast();
  const link = useLinkStart();
  const [unlinking, setUnlinking] = useState<Identity>();
  const [outcome, setOutcome] = useState<string>();
  const unlink = useMutation(
    trpc.sso.unlink.mutationOptions({
      onSuccess: () => {
        setUnlinking(undefined);
        setOutcome('Single sign-on account unlinked.');
        void queryClient.invalidateQueries({ queryKey: trpc.sso.identities.queryKey() });
      },
    }),
  );
  const oidc = providers.data?.oidc ?? null;
  const password = providers.data?.password;
  return (
    <section className="card" aria-labelledby="sign-in-methods-title">
      <h2 id="sign-in-methods-title">Sign-in methods</h2>
      {ssoError ? <Alert tone="error">{ssoError}</Alert> : null}
      {outcome ? <Alert tone="success">{outcome}</Alert> : null}
      {providers.isPending || identities.isPending ? (
        <Loading label="Loading sign-in methods…" />
      ) : providers.isError || identities.isError ? (
        <ErrorState
          error={providers.error ?? identities.error}
          onRetry={() => {
            void providers.refetch();
            void identities.refetch();
          }}
        />
      ) : (
        <>
          <div className="page-header">
            <h3 id="password-method-title">Password</h3>
            <span className={password ? 'tag tag-ok' : 'tag tag-off'} data-testid="password-method-state">
              {password ? 'On' : 'Off'}
            </span>
          </div>
          <p>
            {password
              ? 'Your email address and password sign you in.'
              : 'This workspace signs in with single sign-on only.'}
          </p>
          <div className="page-header">
            <h3 id="sso-method-title">Single sign-on</h3>
          </div>
          {identities.data.items.length === 0 ? (
            <EmptyState>No single sign-on account is linked to yours.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table aria-labelledby="sso-method-title">
                <thead>
                  <tr>
                    <th scope="col">Provider</th>
                    <th scope="col">Email</th>
                    <th scope="col">Linked</th>
                    <th scope="col">Last used</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {identities.data.items.map((identity) => (
                    <tr key={identity.id}>
                      <td data-label="Provider" title={identity.issuer}>
                        {issuerHost(identity.issuer)}
                      </td>
                      <td data-label="Email">{identity.email ?? '—'}</td>
                      <td data-label="Linked">{formatDateTime(identity.createdAt)}</td>
                      <td
                        data-label="Last used"
                        title={identity.lastLoginAt ? formatDateTime(identity.lastLoginAt) : undefined}
                      >
                        {identity.lastLoginAt ? formatRelative(identity.lastLoginAt) : 'Never'}
                      </td>
                      <td className="actions-cell">
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button-secondary"
                            aria-label={`Unlink ${describeIdentity(identity)}`}
                            onClick={() => {
                              setOutcome(undefined);
                              unlink.reset();
                              setUnlinking(identity);
                            }}
                          >
                            Unlink
                          </button>
                        </div>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {link.error ? <Alert tone="error">{link.error}</Alert> : null}
          {oidc ? (
            <div className="actions">
              <button type="button" onClick={() => void link.start()} disabled={link.busy}>
                {link.busy ? 'Opening…' : `Link ${providerName(oidc.label)}`}
              </button>
            </div>
          ) : null}
        </>
      )}
      <ConfirmDialog
        open={unlinking !== undefined}
        title="Unlink single sign-on?"
        confirmLabel="Unlink"
        busy={unlink.isPending}
        onCancel={() => setUnlinking(undefined)}
        onConfirm={() => unlinking && unlink.mutate({ id: unlinking.id })}
      >
        <p>
          {unlinking ? describeIdentity(unlinking) : 'This account'} will no longer sign you in. You can link it again
          later.
        </p>
        {/* The last way to sign in is refused: the server says what to do first. */}
        {unlink.isError ? <Alert tone="error">{errorMessage(unlink.error)}</Alert> : null}
      </ConfirmDialog>
    </section>
  );
}

function describeIdentity(identity: Identity): string {
  const host = issuerHost(identity.issuer);
  return identity.email ? `${host} (${identity.email})` : host;
}

/** Back from the provider with `?linked=sso`: a toast, and the flag out of the address so a reload says nothing. */
function useLinkedToast() {
  const toast = useToast();
  useConsumedSearchParam('linked', () => toast('Single sign-on linked: you can sign in with it now.', 'sso-linked'));
}

/** Asks the server where the provider's sign-in is (`{ url }`), then leaves for it. */
function useLinkStart() {
  const { authFetch } = useSession();
  const [state, setState] = useState<{ busy: boolean; error?: string }>({ busy: false });
  const start = async () => {
    setState({ busy: true });
    try {
      const response = await authFetch(LINK_START);
      const body = (await response.json().catch(() => undefined)) as
        | { url?: unknown; error?: { message?: string } }
        | undefined;
      if (!response.ok || typeof body?.url !== 'string') {
        setState({ busy: false, error: body?.error?.message ?? `Linking could not start (HTTP ${response.status}).` });
        return;
      }
      // Stays busy: the page is leaving for the provider.
      window.location.assign(body.url);
    } catch (error) {
      setState({ busy: false, error: errorMessage(error) });
    }
  };
  return { ...state, start };
}
