// The profile form of the account page: name and avatar, validated with the server's UpdateProfileInput.
import { UpdateProfileInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert, FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useCurrentUser, useSession } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';

export function ProfileForm() {
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
