// Hearing, from the query cache, that the server refuses what a page shows until the account's
// address is confirmed (EMAIL_NOT_VERIFIED, under REQUIRE_EMAIL_VERIFICATION).
import type { QueryCache } from '@tanstack/react-query';
import { errorCode } from './errors.js';

/**
 * The `meta` of a query the signed-in frame itself makes on every page (the team switcher's list):
 * its refusal says nothing about the page on screen, which may well be open to an unconfirmed address.
 */
export const FRAME_QUERY = { frame: true } as const;

/**
 * Calls `onRefused` each time a query that a mounted component watches fails with
 * EMAIL_NOT_VERIFIED, and returns the unsubscribe. A query nobody watches any more belongs to a
 * page already left: its late answer says nothing about the page on screen.
 */
export function watchUnverifiedRefusals(cache: QueryCache, onRefused: () => void): () => void {
  return cache.subscribe((event) => {
    if (event.type !== 'updated' || event.action.type !== 'error') return;
    if (event.query.getObserversCount() === 0) return;
    if (event.query.meta?.frame === FRAME_QUERY.frame) return;
    if (errorCode(event.action.error) === 'EMAIL_NOT_VERIFIED') onRefused();
  });
}
