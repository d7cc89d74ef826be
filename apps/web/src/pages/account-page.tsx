// Account: profile, password change, and the active sessions (revoke one, or sign out everywhere).
import { ChangePasswordInput, UpdateProfileInput } from '@keel/api/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import {
  Alert,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  FormError,
  Loading,
  TextField,
  usePageTitle,
} from '../components/ui.js';
import { errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { describeUserAgent, formatDateTime } from '../lib/format.js';
import { navigate } from '../lib/router.js';
import { useCurrentUser, useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

export function AccountPage() {
  usePageTitle('Account');
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">Account</h1>
      <div className="grid-2">
        <ProfileForm />
        <PasswordForm />
      </div>
      <Sessions />
    </section>
  );
}

function ProfileForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const user = useCurrentUser();
  const [values, setValues] = useState({ name: user.name, avatarUrl: user.avatarUrl ?? '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  const update = useMutation(
    trpc.users.updateProfile.mutationOptions({
      onSuccess: (updated) => {
        setSaved(true);
        session.store.updateUser(updated);
        queryClient.setQueryData(trpc.auth.me.queryKey(), updated);
      },
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    const result = validate(UpdateProfileInput, {
      name: values.name,
      avatarUrl: values.avatarUrl.trim() === '' ? null : values.avatarUrl.trim(),
    });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    update.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="profile-title">
      <h2 id="profile-title">Profile</h2>
      {saved ? <Alert tone="success">Profile saved.</Alert> : null}
      <FormError errors={errors} />
      <p className="muted">
        Signed in as <strong>{user.email}</strong> · role {user.role}
      </p>
      <TextField
        label="Name"
        name="name"
        autoComplete="name"
        maxLength={100}
        value={values.name}
        error={errors.name}
        onChange={(e) => setValues({ ...values, name: e.target.value })}
      />
      <TextField
        label="Avatar URL (optional)"
        name="avatarUrl"
        type="url"
        placeholder="https://…"
        value={values.avatarUrl}
        error={errors.avatarUrl}
        onChange={(e) => setValues({ ...values, avatarUrl: e.target.value })}
      />
      <div className="actions">
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save profile'}
        </button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ currentPassword: '', newPassword: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [changed, setChanged] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        setChanged(true);
        setValues({ currentPassword: '', newPassword: '' });
        // The server revoked the other sessions.
        await queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'currentPassword' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChanged(false);
    const result = validate(ChangePasswordInput, values);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    change.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      {changed ? <Alert tone="success">Password changed. Your other sessions were signed out.</Alert> : null}
      <FormError errors={errors} />
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={values.currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setValues({ ...values, currentPassword: e.target.value })}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint="8–100 characters with a lower-case letter, an upper-case letter and a digit."
        value={values.newPassword}
        error={errors.newPassword}
        onChange={(e) => setValues({ ...values, newPassword: e.target.value })}
      />
      <div className="actions">
        <button type="submit" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}

function Sessions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const session = useSession();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const [confirmAll, setConfirmAll] = useState(false);
  const revoke = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() }),
    }),
  );
  const logoutAll = useMutation(
    trpc.auth.logoutAll.mutationOptions({
      onSuccess: () => {
        // Every session is revoked, this one included: nothing to tell the server any more.
        session.forget('You signed out everywhere.');
        navigate('/sign-in', { replace: true });
      },
    }),
  );
  return (
    <div className="card">
      <div className="page-header">
        <h2 id="sessions-title">Active sessions</h2>
        <button type="button" className="button-danger" onClick={() => setConfirmAll(true)}>
          Sign out everywhere
        </button>
      </div>
      {revoke.isError ? <Alert tone="error">{errorMessage(revoke.error)}</Alert> : null}
      {sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : sessions.data.items.length === 0 ? (
        <EmptyState>No active sessions.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="sessions-title">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.items.map((item) => (
                <tr key={item.id}>
                  <td data-label="Device" title={item.userAgent ?? undefined}>
                    {describeUserAgent(item.userAgent)}
                    {item.current ? <span className="tag">this device</span> : null}
                  </td>
                  <td data-label="IP">{item.ip ?? '—'}</td>
                  <td data-label="Signed in">{formatDateTime(item.createdAt)}</td>
                  <td data-label="Last used">{formatDateTime(item.lastUsedAt)}</td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      {item.current ? null : (
                        <button
                          type="button"
                          className="button-secondary"
                          disabled={revoke.isPending}
                          onClick={() => revoke.mutate({ sessionId: item.id })}
                        >
                          Revoke
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ConfirmDialog
        open={confirmAll}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        busy={logoutAll.isPending}
        onCancel={() => setConfirmAll(false)}
        onConfirm={() => logoutAll.mutate()}
      >
        <p>Every session of your account ends, this one included. You will have to sign in again.</p>
        {logoutAll.isError ? <Alert tone="error">{errorMessage(logoutAll.error)}</Alert> : null}
      </ConfirmDialog>
    </div>
  );
}
