// Tab coordination: session news between tabs (BroadcastChannel) and the refresh lock (Web Locks),
// with stand-ins for both, and the fallbacks of a browser that has neither.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { user } from '../testing/fixtures.js';
import { createTabSync, type TabMessage } from './tab-sync.js';

/** Delivers a message to every other channel of the same name, as browsers do between tabs. */
class FakeBroadcastChannel extends EventTarget {
  static open: FakeBroadcastChannel[] = [];
  constructor(readonly name: string) {
    super();
    FakeBroadcastChannel.open.push(this);
  }
  postMessage(data: unknown) {
    for (const other of FakeBroadcastChannel.open) {
      if (other !== this && other.name === this.name) other.dispatchEvent(new MessageEvent('message', { data }));
    }
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  FakeBroadcastChannel.open = [];
});

describe('createTabSync', () => {
  it('tells the other tabs, not itself, and a listener can stop listening', () => {
    vi.stubGlobal('BroadcastChannel', FakeBroadcastChannel);
    const first = createTabSync();
    const second = createTabSync();
    const heardBySecond: TabMessage[] = [];
    const heardByFirst: TabMessage[] = [];
    const stop = second.subscribe((message) => heardBySecond.push(message));
    first.subscribe((message) => heardByFirst.push(message));

    first.publish({ type: 'session', accessToken: 'token-1', user });
    stop();
    first.publish({ type: 'signed-out' });

    expect(heardBySecond).toEqual([{ type: 'session', accessToken: 'token-1', user }]);
    expect(heardByFirst).toEqual([]);
  });

  it('without BroadcastChannel, publishing and listening do nothing', () => {
    vi.stubGlobal('BroadcastChannel', undefined);
    const sync = createTabSync();
    const listener = vi.fn();
    const stop = sync.subscribe(listener);
    sync.publish({ type: 'signed-out' });
    stop();
    expect(listener).not.toHaveBeenCalled();
  });

  it('runs the refresh under the shared Web Lock', async () => {
    const request = vi.fn(async (_name: string, task: () => Promise<unknown>) => task());
    vi.stubGlobal('navigator', { locks: { request } });
    const sync = createTabSync();
    await expect(sync.withRefreshLock(async () => 'token-2')).resolves.toBe('token-2');
    expect(request).toHaveBeenCalledWith('keel-refresh', expect.any(Function));
  });

  it.each([
    ['a browser without Web Locks', {}],
    ['a runtime without navigator', undefined],
  ])('in %s, runs the refresh at once', async (_where, navigator) => {
    vi.stubGlobal('navigator', navigator);
    const sync = createTabSync();
    await expect(sync.withRefreshLock(async () => 'token-2')).resolves.toBe('token-2');
  });
});
