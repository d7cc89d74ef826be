// Turning two-step verification on, shared by the account page and the panel of a role that
// requires it: the password (auth.mfa.setup) → the QR code and the setup key for the authenticator
// app → its first code (auth.mfa.enable) → the recovery codes, shown once. Enabling marks this
// session as having passed a second factor; a refresh then brings a token that says so (`amr`), so
// pages the server refused with MFA_REQUIRED open at once.
import type { RouterOutputs } from '@keel/api';
import { EnableMfaInput, SetupMfaInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';
import { groupedKey, qrImageSource, setupKeyOf } from '../lib/two-step.js';
import { RecoveryCodesPanel } from './recovery-codes.js';
import { FormError, TextField } from './ui.js';

type MfaSetup = RouterOutputs['auth']['mfa']['setup'];

type Stage = { name: 'password' } | { name: 'scan'; setup: MfaSetup } | { name: 'codes'; codes: string[] };

export function TwoStepSetup({
  heading = 'h3',
  onDone,
  onCancel,
}: {
  /** The level of the recovery codes' heading, under the section or panel that holds the flow. */
  heading?: 'h2' | 'h3';
  /** Once the recovery codes were seen (Done): two-step verification is on, and this session passed it. */
  onDone: () => void;
  onCancel?: () => void;
}) {
  const [stage, setStage] = useState<Stage>({ name: 'password' });
  if (stage.name === 'password') {
    return <PasswordStage onSetup={(setup) => setStage({ name: 'scan', setup })} onCancel={onCancel} />;
  }
  if (stage.name === 'scan') {
    return (
      <ScanStage setup={stage.setup} onEnabled={(codes) => setStage({ name: 'codes', codes })} onCancel={onCancel} />
    );
  }
  return <RecoveryCodesPanel codes={stage.codes} heading={heading} onDone={onDone} />;
}

function CancelButton({ onCancel }: { onCancel: (() => void) | undefined }) {
  if (!onCancel) return null;
  return (
    <button type="button" className="button-secondary" onClick={onCancel}>
      Cancel
    </button>
  );
}

function PasswordStage({ onSetup, onCancel }: { onSetup: (setup: MfaSetup) => void; onCancel?: () => void }) {
  const trpc = useTRPC();
  const [currentPassword, setCurrentPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const setup = useMutation(
    trpc.auth.mfa.setup.mutationOptions({
      onSuccess: onSetup,
      // The one BAD_REQUEST is a wrong password.
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'currentPassword' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Left empty, the password is not sent: a fresh single sign-on (or an app code) confirms the caller instead.
    const result = validate(SetupMfaInput, { currentPassword: currentPassword || undefined });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    setup.mutate(result.data);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Confirm your password">
      <FormError errors={errors} />
      <p>You need an authenticator app on your phone or computer (1Password, Google Authenticator, Aegis…).</p>
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setCurrentPassword(e.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={setup.isPending}>
          {setup.isPending ? 'Checking…' : 'Continue'}
        </button>
        <CancelButton onCancel={onCancel} />
      </div>
    </form>
  );
}

function ScanStage({
  setup,
  onEnabled,
  onCancel,
}: {
  setup: MfaSetup;
  onEnabled: (codes: string[]) => void;
  onCancel: (() => void) | undefined;
}) {
  const trpc = useTRPC();
  const session = useSession();
  const queryClient = useQueryClient();
  const [code, setCode] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const key = setupKeyOf(setup.otpauthUri);
  const enable = useMutation(
    trpc.auth.mfa.enable.mutationOptions({
      onSuccess: async ({ recoveryCodes }) => {
        // The server marked this session; the next token carries the second factor. A failed
        // refresh is not this form's business: the next request refreshes again.
        await session.coordinator.refresh().catch(() => undefined);
        // What was refused without it (MFA_REQUIRED) is fetched again when shown.
        await queryClient.invalidateQueries({ predicate: (query) => query.state.status === 'error' });
        await queryClient.invalidateQueries({ queryKey: trpc.auth.mfa.status.queryKey() });
        onEnabled(recoveryCodes);
      },
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'code' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(EnableMfaInput, { code: code.replace(/\s/g, '') });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    enable.mutate(result.data);
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Connect your authenticator app">
      <FormError errors={errors} />
      <ol className="two-step-steps">
        <li>
          <p>Scan this QR code with your authenticator app:</p>
          <img
            className="two-step-qr"
            src={qrImageSource(setup.qrSvg)}
            alt="QR code to scan with your authenticator app"
          />
        </li>
        {key ? (
          <li>
            <p>
              Or, if you cannot scan it, enter this setup key in the app (a time-based key, for the account{' '}
              <em>Keel</em>):
            </p>
            <p className="two-step-key">
              Setup key: <code data-testid="two-step-setup-key">{groupedKey(key)}</code>
            </p>
          </li>
        ) : null}
        <li>
          <TextField
            label="Code from the app"
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            maxLength={7}
            hint="The 6 digits the app now shows for Keel."
            value={code}
            error={errors.code}
            onChange={(e) => setCode(e.target.value)}
          />
        </li>
      </ol>
      <div className="actions">
        <button type="submit" disabled={enable.isPending}>
          {enable.isPending ? 'Turning on…' : 'Turn on'}
        </button>
        <CancelButton onCancel={onCancel} />
      </div>
    </form>
  );
}
