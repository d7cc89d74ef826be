// Single sign-on's pieces shared by the sign-in, sign-up and account pages (docs/sso.md): the button
// that starts it, and the refusal the OIDC callback names in the address (`?sso_error=`), shown once.
import { useState } from 'react';
import { signInLabel, ssoErrorMessage, startHref } from '../lib/sso.js';
import { useConsumedSearchParam } from './use-consumed-search-param.js';

/**
 * A plain link to the server's start route: the browser leaves the dashboard for the provider and
 * comes back signed in on `returnTo` (a same-origin path). A link, not a form: the page's
 * Content-Security-Policy (`form-action 'self'`) would stop a form's redirect to the provider.
 */
export function SsoButton({ label, returnTo }: { label: string; returnTo: string }) {
  return (
    <a className="button-secondary sso-button" href={startHref(returnTo)}>
      {signInLabel(label)}
    </a>
  );
}

/**
 * The sentence of this address's `?sso_error=`, which is then taken out of the address (replaced,
 * not pushed), so a reload or a bookmark does not show an old refusal again. The sentence stays
 * until the page goes.
 */
export function useSsoError(): string | undefined {
  const [message, setMessage] = useState<string>();
  useConsumedSearchParam('sso_error', (code) => setMessage(ssoErrorMessage(code)));
  return message;
}
