// The second step of a sign-in with two-step verification: after the password (auth.login answered
// `mfaRequired`), or after a single sign-on whose provider did not confirm a second factor (the OIDC
// callback kept the challenge in an HttpOnly cookie), a code from the authenticator app or one of
// the recovery codes (auth.mfa.verify) signs in exactly as a password alone does. Shared by the
// sign-in page and the team invitation's.
import { type AuthPayload, VerifyMfaInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { errorCode, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';
import { type SecondStepEnd, secondStepEnd } from '../lib/two-step.js';
import { FormError, TextField } from './ui.js';

/**
 * A sign-in waiting for its code, and since when: auth.login's token, or none after a single
 * sign-on (the browser holds the challenge in a cookie the page cannot read).
 */
export type SecondStep = { via: 'password'; mfaToken: string; startedAt: number } | { via: 'sso'; startedAt: number };

export function secondStepOf(mfaToken: string): SecondStep {
  return { via: 'password', mfaToken, startedAt: Date.now() };
}

/** The code step after a single sign-on (`/sign-in?sso_step=code`). */
export function ssoSecondStep(): SecondStep {
  return { via: 'sso', startedAt: Date.now() };
}

type Method = 'code' | 'recoveryCode';

const END_MESSAGES: Record<SecondStep['via'], Record<SecondStepEnd, string>> = {
  password: {
    expired: 'That sign-in waited too long for its code: sign in again with your password.',
    'too-many-wrong-codes': 'Too many wrong codes: sign in again with your password.',
  },
  sso: {
    expired: 'That sign-in waited too long for its code: sign in again with single sign-on.',
    'too-many-wrong-codes': 'Too many wrong codes: sign in again with single sign-on.',
  },
};

/**
 * The code form. `onRestart` goes back to the password (or the single sign-on button) with a
 * message to show there: the sign-in expired or took too many wrong codes (the server voids it), or
 * the person chose to start over. `onSignedIn` replaces the usual `session.establish` (the page to
 * land on first).
 */
export function SecondStepForm({
  step,
  className,
  heading: Heading = 'h1',
  onRestart,
  onSignedIn,
}: {
  step: SecondStep;
  className?: string;
  heading?: 'h1' | 'h2';
  onRestart: (message?: string) => void;
  onSignedIn?: (payload: AuthPayload) => void;
}) {
  const trpc = useTRPC();
  const session = useSession();
  const [method, setMethod] = useState<Method>('code');
  const [values, setValues] = useState({ code: '', recoveryCode: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [wrongCodes, setWrongCodes] = useState(0);
  const verify = useMutation(
    trpc.auth.mfa.verify.mutationOptions({
      onSuccess: (payload) => (onSignedIn ? onSignedIn(payload) : session.establish(payload)),
      onError: (error) => {
        if (errorCode(error) !== 'UNAUTHORIZED') return setErrors(formErrorsOf(error));
        // A wrong code and a dead sign-in are both 401: what is known of the sign-in tells them apart.
        const wrong = wrongCodes + 1;
        setWrongCodes(wrong);
        // The server's own words otherwise: "Invalid code", or that the sign-in is void for another reason.
        const end = secondStepEnd({ startedAt: step.startedAt, wrongCodes: wrong }, Date.now());
        if (end) return onRestart(END_MESSAGES[step.via][end]);
        setErrors({ [method]: error.message });
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // People copy codes with spaces ("123 456"); recovery codes keep theirs for the server to read.
    // After a single sign-on the challenge travels in its cookie: the input names none.
    const token = step.via === 'password' ? { mfaToken: step.mfaToken } : {};
    const input =
      method === 'code'
        ? { ...token, code: values.code.replace(/\s/g, '') }
        : { ...token, recoveryCode: values.recoveryCode };
    const result = validate(VerifyMfaInput, input);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    verify.mutate(result.data);
  };
  const switchTo = (next: Method) => {
    setErrors({});
    setMethod(next);
  };
  return (
    <form className={className} onSubmit={submit} noValidate aria-labelledby="second-step-title">
      <Heading id="second-step-title">Two-step verification</Heading>
      <FormError errors={errors} />
      {method === 'code' ? (
        <>
          <p className="muted">Enter the 6-digit code your authenticator app shows for Keel.</p>
          <TextField
            key="code"
            label="Code"
            name="code"
            autoComplete="one-time-code"
            inputMode="numeric"
            maxLength={7}
            required
            // The field is what the password led to: the cursor waits in it.
            autoFocus
            value={values.code}
            error={errors.code}
            onChange={(e) => setValues({ ...values, code: e.target.value })}
          />
        </>
      ) : (
        <>
          <p className="muted">Enter one of the recovery codes you saved when you turned two-step verification on.</p>
          <TextField
            key="recoveryCode"
            label="Recovery code"
            name="recoveryCode"
            autoComplete="off"
            spellCheck={false}
            placeholder="abcde-fghij"
            required
            autoFocus
            hint="Each recovery code works once."
            value={values.recoveryCode}
            error={errors.recoveryCode}
            onChange={(e) => setValues({ ...values, recoveryCode: e.target.value })}
          />
        </>
      )}
      <button type="submit" disabled={verify.isPending}>
        {verify.isPending ? 'Verifying…' : 'Verify'}
      </button>
      <p className="muted">
        {method === 'code' ? (
          <button type="button" className="button-link" onClick={() => switchTo('recoveryCode')}>
            Use a recovery code instead
          </button>
        ) : (
          <button type="button" className="button-link" onClick={() => switchTo('code')}>
            Use a code from your app instead
          </button>
        )}
      </p>
      <p className="muted">
        <button type="button" className="button-link" onClick={() => onRestart()}>
          {step.via === 'password' ? 'Start over with your password' : 'Start over'}
        </button>
      </p>
    </form>
  );
}
