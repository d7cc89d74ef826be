// Single sign-on in the dashboard, free of React (docs/sso.md): the sentence of a refusal the OIDC
// callback names in the address (`?sso_error=`), the button texts from the provider's label, the
// same-origin path to come back to, and how an identity's provider reads in a list.
import { SSO_ERROR_MESSAGES } from '@keel/api/schemas';

/** Where the browser starts a single sign-on (apps/server's oidc.ts): a navigation, not a fetch. */
export const OIDC_START = '/auth/oidc/start';

/** The sentence for a code the page does not know (a newer server, or an address typed by hand). */
export const SSO_ERROR_FALLBACK = 'Single sign-on did not sign you in: try again';

/** The sentence of `?sso_error=<code>`: the API's own for a known code, a generic one otherwise. */
export function ssoErrorMessage(code: string): string {
  return Object.hasOwn(SSO_ERROR_MESSAGES, code)
    ? SSO_ERROR_MESSAGES[code as keyof typeof SSO_ERROR_MESSAGES]
    : SSO_ERROR_FALLBACK;
}

/**
 * OIDC_LABEL is the sign-in button's text ("Sign in with Acme"), or only the provider's name (the
 * default "Single sign-on"): either way the button says what it does.
 */
export function signInLabel(label: string): string {
  return /^sign in\b/i.test(label) ? label : `Sign in with ${label}`;
}

/** The provider's name within a sentence: "Acme" of "Sign in with Acme". */
export function providerName(label: string): string {
  return label.replace(/^sign in (with|using|through)\s+/i, '') || label;
}

/** The address of the sign-in button: start, then come back to `returnTo`. */
export function startHref(returnTo: string): string {
  return `${OIDC_START}?${new URLSearchParams({ returnTo })}`;
}

/**
 * The same-origin path a sign-in should land on: the page the person asked for (the sign-in form
 * shows in place of a signed-in page), without this page's `sso_error`; the sign-in pages
 * themselves lead `home`.
 */
export function returnPathOf(location: { pathname: string; searchStr: string }, home: string): string {
  if (['/', '/sign-in', '/sign-up', '/forgot-password'].includes(location.pathname)) return home;
  const search = new URLSearchParams(location.searchStr);
  search.delete('sso_error');
  const query = search.toString();
  return query ? `${location.pathname}?${query}` : location.pathname;
}

/** An issuer as a person reads it: its host ("id.example.com"), or the text itself if it is no URL. */
export function issuerHost(issuer: string): string {
  try {
    return new URL(issuer).host || issuer;
  } catch {
    return issuer;
  }
}
