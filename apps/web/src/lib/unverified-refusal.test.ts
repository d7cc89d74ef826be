// Which failed queries make the signed-in frame ask for a confirmed address: only a page's own
// queries, refused with EMAIL_NOT_VERIFIED.
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it } from 'vitest';
import { apiError } from '../testing/fixtures.js';
import { FRAME_QUERY, watchUnverifiedRefusals } from './unverified-refusal.js';

const unverified = apiError('Confirm your email address first: follow the link we mailed you, or ask for a new one', {
  code: 'EMAIL_NOT_VERIFIED',
  httpStatus: 403,
});
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

describe('watchUnverifiedRefusals', () => {
  it('reports a watched query the server refuses until the address is confirmed', async () => {
    let refusals = 0;
    const stop = watchUnverifiedRefusals(client.getQueryCache(), () => refusals++);
    const unwatch = await watchedQuery('projects', unverified);
    expect(refusals).toBe(1);
    unwatch();
    stop();
  });

  it('ignores other failures, so a page keeps its own error state for them', async () => {
    let refusals = 0;
    const stop = watchUnverifiedRefusals(client.getQueryCache(), () => refusals++);
    const unwatchForbidden = await watchedQuery('admin', forbidden);
    const unwatchOffline = await watchedQuery('offline', new TypeError('fetch failed'));
    expect(refusals).toBe(0);
    unwatchForbidden();
    unwatchOffline();
    stop();
  });

  it('ignores a refusal nobody watches any more (the answer of a page already left)', async () => {
    let refusals = 0;
    const stop = watchUnverifiedRefusals(client.getQueryCache(), () => refusals++);
    await expect(client.fetchQuery({ queryKey: ['left'], queryFn: () => Promise.reject(unverified) })).rejects.toBe(
      unverified,
    );
    expect(refusals).toBe(0);
    stop();
  });

  it("ignores the frame's own queries, which every page makes alike", async () => {
    let refusals = 0;
    const stop = watchUnverifiedRefusals(client.getQueryCache(), () => refusals++);
    const unwatch = await watchedQuery('teams', unverified, FRAME_QUERY);
    expect(refusals).toBe(0);
    unwatch();
    stop();
  });

  it('stops reporting once unsubscribed', async () => {
    let refusals = 0;
    const stop = watchUnverifiedRefusals(client.getQueryCache(), () => refusals++);
    stop();
    const unwatch = await watchedQuery('projects', unverified);
    expect(refusals).toBe(0);
    unwatch();
  });
});
