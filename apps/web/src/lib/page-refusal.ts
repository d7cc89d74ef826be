// Hearing, from the query cache, that the server refuses what a page shows until the account does
// something first: confirm its address (EMAIL_NOT_VERIFIED, under REQUIRE_EMAIL_VERIFICATION), or
// sign in with two-step verification (MFA_REQUIRED, for the roles of MFA_REQUIRED_ROLES).
import type { QueryCache } from '@tanstack/react-query';
import { errorCode } from './errors.js';

/** The refusals the signed-in frame answers with a panel in place of the page. */
export type PageRefusal = 'EMAIL_NOT_VERIFIED' | 'MFA_REQUIRED';

/**
 * The `meta` of a query the signed-in frame itself makes on every page (the team switcher's list):
 * its refusal says nothing about the page on screen, which may well be open to the account as it is
 * (the account page, all auth.*, answers an unconfirmed address and a session without a second step).
 */
export const FRAME_QUERY = { frame: true } as const;

/**
 * Calls `onRefused` each time a query that a mounted component watches fails with `refusal`, and
 * returns the unsubscribe. A query nobody watches any more belongs to a page already left: its late
 * answer says nothing about the page on screen.
 */
export function watchRefusals(cache: QueryCache, refusal: PageRefusal, onRefused: () => void): () => void {
  return cache.subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'error') return;
    if (event.query.getObserversCount() === 0) return;
    if (event.query.meta?.frame === FRAME_QUERY.frame) return;
    if (errorCode(event.action.error) === refusal) onRefused();
  });
}
