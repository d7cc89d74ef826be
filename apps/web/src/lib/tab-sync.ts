// Coordination between tabs of one browser: a refresh lock (Web Locks) and session news (BroadcastChannel).
//
// Tabs share the httpOnly refresh cookie but each keeps its own access token in memory. Refreshing
// under one lock means a tab always presents the newest refresh token; broadcasting the result lets
// the tabs that queued behind it skip their own refresh, and a sign-out in one tab ends them all.
import type { User } from './auth-store.js';

export type TabMessage = { type: 'session'; accessToken: string; user: User } | { type: 'signed-out' };

export interface TabSync {
  withRefreshLock<R>(task: () => Promise<R>): Promise<R>;
  publish(message: TabMessage): void;
  subscribe(listener: (message: TabMessage) => void): () => void;
}

const LOCK_NAME = 'keel-refresh';
const CHANNEL_NAME = 'keel-auth';

export function createTabSync(): TabSync {
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL_NAME);
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return {
    withRefreshLock(task) {
      // Without Web Locks (an old browser, a plain-http origin other than localhost) tabs may race;
      // the server's reuse grace window then refuses the loser without revoking the session.
      if (!locks) return task();
      return locks.request(LOCK_NAME, task).then((result) => result);
    },
    publish(message) {
      channel?.postMessage(message);
    },
    subscribe(listener) {
      if (!channel) return () => {};
      const onMessage = (event: MessageEvent<TabMessage>) => listener(event.data);
      channel.addEventListener('message', onMessage);
      return () => channel.removeEventListener('message', onMessage);
    },
  };
}
