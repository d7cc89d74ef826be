// The account page's two-step verification: whether it is on and the recovery codes left
// (auth.mfa.status); turning it on (components/two-step-setup.tsx), making new recovery codes with
// a code, and turning it off with the password and a code.
import { DisableMfaInput, RegenerateRecoveryCodesInput } from '@keel/api/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { RecoveryCodesPanel } from '../../components/recovery-codes.js';
import { TwoStepSetup } from '../../components/two-step-setup.js';
import { Alert, ErrorState, FormError, Loading, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { formatCount, formatDateTime } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';

type Mode = 'idle' | 'enabling' | 'disabling' | 'regenerating';

/** Either kind of code is taken where the server takes both (SecondFactorCode). */
const EITHER_CODE = 'Code from your authenticator app, or a recovery code';

export function TwoStepSection() {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.mfa.status.queryOptions());
  const [mode, setMode] = useState<Mode>('idle');
  const [outcome, setOutcome] = useState<string>();
  const start = (next: Mode) => {
    setOutcome(undefined);
    setMode(next);
  };
  // Each form fetches the status again as soon as the server changed it (under the recovery codes
  // too, which stay until Done): finishing only shows the outcome.
  const finish = (message?: string) => {
    setOutcome(message);
    setMode('idle');
  };
  const on = status.data?.enabled === true;
  return (
    <section className="card" aria-labelledby="two-step-title">
      <div className="page-header">
        <h2 id="two-step-title">Two-step verification</h2>
        {status.data ? (
          <span className={on ? 'tag tag-ok' : 'tag tag-off'} data-testid="two-step-state">
            {on ? 'On' : 'Off'}
          </span>
        ) : null}
      </div>
      {outcome ? <Alert tone="success">{outcome}</Alert> : null}
      {status.isPending ? (
        <Loading label="Loading two-step verification…" />
      ) : status.isError ? (
        <ErrorState error={status.error} onRetry={() => void status.refetch()} />
      ) : mode === 'enabling' ? (
        <TwoStepSetup onDone={() => finish('Two-step verification is on.')} onCancel={() => setMode('idle')} />
      ) : mode === 'disabling' ? (
        <DisableForm onDone={() => finish('Two-step verification is off.')} onCancel={() => setMode('idle')} />
      ) : mode === 'regenerating' ? (
        <RegenerateForm
          onDone={() => finish('Your new recovery codes replace the old ones.')}
          onCancel={() => setMode('idle')}
        />
      ) : on ? (
        <>
          <p data-testid="two-step-status">
            On since {status.data.enabledAt ? formatDateTime(status.data.enabledAt) : 'a while'}: signing in asks for a
            code from your authenticator app after the password.{' '}
            {formatCount(status.data.recoveryCodesLeft, 'recovery code')} left.
          </p>
          <div className="actions">
            <button type="button" className="button-secondary" onClick={() => start('regenerating')}>
              Make new recovery codes
            </button>
            <button type="button" className="button-danger" onClick={() => start('disabling')}>
              Turn off
            </button>
          </div>
        </>
      ) : (
        <>
          <p data-testid="two-step-status">
            Off: your password alone signs you in. Turn it on to also ask for a code from an authenticator app.
          </p>
          <div className="actions">
            <button type="button" onClick={() => start('enabling')}>
              Turn on two-step verification
            </button>
          </div>
        </>
      )}
    </section>
  );
}

function DisableForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ currentPassword: '', code: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const disable = useMutation(
    trpc.auth.mfa.disable.mutationOptions({
      onSuccess: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.auth.mfa.status.queryKey() });
        onDone();
      },
      // A wrong password and a wrong code are both BAD_REQUEST: the message says which.
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Left empty, the password is not sent: a fresh single sign-on (or an app code) confirms the caller instead.
    const result = validate(DisableMfaInput, { ...values, currentPassword: values.currentPassword || undefined });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    disable.mutate(result.data);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Turn off two-step verification">
      <FormError errors={errors} />
      <p>Signing in will ask for your password alone. Your recovery codes stop working.</p>
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
        label={EITHER_CODE}
        name="code"
        autoComplete="one-time-code"
        spellCheck={false}
        value={values.code}
        error={errors.code}
        onChange={(e) => setValues({ ...values, code: e.target.value })}
      />
      <div className="actions">
        <button type="submit" className="button-danger" disabled={disable.isPending}>
          {disable.isPending ? 'Turning off…' : 'Turn off two-step verification'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function RegenerateForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [codes, setCodes] = useState<string[]>();
  const regenerate = useMutation(
    trpc.auth.mfa.regenerateRecoveryCodes.mutationOptions({
      onSuccess: ({ recoveryCodes }) => {
        setCodes(recoveryCodes);
        void queryClient.invalidateQueries({ queryKey: trpc.auth.mfa.status.queryKey() });
      },
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'code' })),
    }),
  );
  if (codes) return <RecoveryCodesPanel codes={codes} onDone={onDone} />;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(RegenerateRecoveryCodesInput, { code });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    regenerate.mutate(result.data);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Make new recovery codes">
      <FormError errors={errors} />
      <p>Ten new codes replace the ones you have: those stop working at once.</p>
      <TextField
        label={EITHER_CODE}
        name="code"
        autoComplete="one-time-code"
        spellCheck={false}
        value={code}
        error={errors.code}
        onChange={(e) => setCode(e.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={regenerate.isPending}>
          {regenerate.isPending ? 'Making codes…' : 'Make new recovery codes'}
        </button>
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
