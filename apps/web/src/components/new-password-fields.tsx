// A new password typed twice (reset, accepting an invitation): the API's policy as a hint, and a
// mismatch caught in the page, so a typo never spends a one-time link.
import type { FieldErrors } from '../lib/errors.js';
import { TextField } from './ui.js';

/** What the API's password policy asks, as every new-password field says it. */
export const PASSWORD_HINT = '8–100 characters with a lower-case letter, an upper-case letter and a digit.';

/**
 * `errors` with the confirmation's error added when the two differ; a password the policy already
 * refused (`errors[field]`) is told first.
 */
export function withConfirmation(
  errors: FieldErrors,
  field: string,
  password: string,
  confirmation: string,
): FieldErrors {
  if (errors[field] || password === confirmation) return errors;
  return { ...errors, confirmPassword: 'The two passwords differ: type the same one twice' };
}

export function NewPasswordFields({
  label,
  name,
  password,
  confirmation,
  errors,
  onPassword,
  onConfirmation,
}: {
  /** "Password" or "New password"; the confirmation is "Confirm the <label, lower-cased>". */
  label: string;
  /** The input's field name, which `errors` uses too. */
  name: string;
  password: string;
  confirmation: string;
  errors: FieldErrors;
  onPassword: (value: string) => void;
  onConfirmation: (value: string) => void;
}) {
  return (
    <>
      <TextField
        label={label}
        type="password"
        name={name}
        autoComplete="new-password"
        required
        hint={PASSWORD_HINT}
        value={password}
        error={errors[name]}
        onChange={(e) => onPassword(e.target.value)}
      />
      <TextField
        label={`Confirm the ${label.toLowerCase()}`}
        type="password"
        name="confirmPassword"
        autoComplete="new-password"
        required
        value={confirmation}
        error={errors.confirmPassword}
        onChange={(e) => onConfirmation(e.target.value)}
      />
    </>
  );
}
