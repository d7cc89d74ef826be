// Which failed queries make the signed-in frame put a panel in place of the page: only a page's own
// queries, refused with the code the panel is about (EMAIL_NOT_VERIFIED, MFA_REQUIRED).
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError } from '../testing/fixtures.js';
import { FRAME_QUERY, watchRefusals } from './page-refusal.js';

const unverified = apiError('Confirm your email address first: follow the link we mailed you, or ask for a new one', {
  code: 'EMAIL_NOT_VERIFIED',
  httpStatus: 403,
});
const secondStepMissing = apiError(
  'Your role requires two-step verification: turn it on on your account page, then sign in again with a code',
  { code: 'MFA_REQUIRED', httpStatus: 403 },
);
const forbidden = apiError('Requires role ADMIN', { code: 'FORBIDDEN', httpStatus: 403 });

const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
afterEach(() => client.clear());

/** A query a mounted page watches (an observer subscribed), fetched once: `refetch` settles it, failure included. */
async function watchedQuery(key: string, fails: unknown, meta?: Record<string, unknown>): Promise<() => void> {
  const observer = new QueryObserver(client, {
    queryKey: [key],
    queryFn: () => Promise.reject(fails),
    enabled: false,
    ...(meta ? { meta } : {}),
  });
  const unsubscribe = observer.subscribe(() => {});
  await observer.refetch();
  return unsubscribe;
}

describe('watchRefusals', () => {
  it.each([
    ['EMAIL_NOT_VERIFIED', unverified],
    ['MFA_REQUIRED', secondStepMissing],
  ] as const)('reports a watched query the server refuses with %s', async (refusal, error) => {
    let refusals = 0;
    const stop = watchRefusals(client.getQueryCache(), refusal, () => refusals++);
    const unwatch = await watchedQuery('projects', error);
    expect(refusals).toBe(1);
    unwatch();
    stop();
  });

  it('ignores the other refusal: each panel answers its own', async () => {
    let unconfirmed = 0;
    let withoutSecondStep = 0;
    const stopEmail = watchRefusals(client.getQueryCache(), 'EMAIL_NOT_VERIFIED', () => unconfirmed++);
    const stopMfa = watchRefusals(client.getQueryCache(), 'MFA_REQUIRED', () => withoutSecondStep++);
    const unwatch = await watchedQuery('admin', secondStepMissing);
    expect({ unconfirmed, withoutSecondStep }).toEqual({ unconfirmed: 0, withoutSecondStep: 1 });
    unwatch();
    stopEmail();
    stopMfa();
  });

  it('ignores other failures, so a page keeps its own error state for them', async () => {
    let refusals = 0;
    const stop = watchRefusals(client.getQueryCache(), 'MFA_REQUIRED', () => refusals++);
    const unwatchForbidden = await watchedQuery('admin', forbidden);
    const unwatchOffline = await watchedQuery('offline', new TypeError('fetch failed'));
    expect(refusals).toBe(0);
    unwatchForbidden();
    unwatchOffline();
    stop();
  });

  it('ignores a refusal nobody watches any more (the answer of a page already left)', async () => {
    let refusals = 0;
    const stop = watchRefusals(client.getQueryCache(), 'EMAIL_NOT_VERIFIED', () => refusals++);
    await expect(client.fetchQuery({ queryKey: ['left'], queryFn: () => Promise.reject(unverified) })).rejects.toBe(
      unverified,
    );
    expect(refusals).toBe(0);
    stop();
  });

  it.each([
    ['EMAIL_NOT_VERIFIED', unverified],
    ['MFA_REQUIRED', secondStepMissing],
  ] as const)("ignores the frame's own queries, which every page makes alike (%s)", async (refusal, error) => {
    let refusals = 0;
    const stop = watchRefusals(client.getQueryCache(), refusal, () => refusals++);
    const unwatch = await watchedQuery('teams', error, FRAME_QUERY);
    expect(refusals).toBe(0);
    unwatch();
    stop();
  });

  it('stops reporting once unsubscribed', async () => {
    let refusals = 0;
    const stop = watchRefusals(client.getQueryCache(), 'EMAIL_NOT_VERIFIED', () => refusals++);
    stop();
    const unwatch = await watchedQuery('projects', unverified);
    expect(refusals).toBe(0);
    unwatch();
  });
});
