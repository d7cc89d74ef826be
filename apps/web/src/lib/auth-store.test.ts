// The in-memory auth store: states, the token version and its listeners.
import { describe, expect, it, vi } from 'vitest';
import { user } from '../testing/fixtures.js';
import { createAuthStore } from './auth-store.js';

describe('createAuthStore', () => {
  it('starts restoring, with no token', () => {
    const store = createAuthStore();
    expect(store.get()).toEqual({ status: 'restoring' });
    expect(store.token()).toBeNull();
    expect(store.version()).toBe(0);
  });

  it('signing in keeps the token and bumps the version', () => {
    const store = createAuthStore();
    store.signIn('token-1', user);
    expect(store.get()).toEqual({ status: 'signed-in', accessToken: 'token-1', user });
    expect(store.token()).toBe('token-1');
    expect(store.version()).toBe(1);
  });

  it('a profile change notifies the listeners but is not a new token', () => {
    const store = createAuthStore();
    store.signIn('token-1', user);
    const listener = vi.fn();
    store.subscribe(listener);
    store.updateUser({ ...user, name: 'B' });
    expect(store.get()).toMatchObject({ status: 'signed-in', user: { name: 'B' } });
    expect(store.version()).toBe(1);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('a profile change while signed out is ignored', () => {
    const store = createAuthStore({ status: 'signed-out' });
    const listener = vi.fn();
    store.subscribe(listener);
    store.updateUser(user);
    expect(store.get()).toEqual({ status: 'signed-out' });
    expect(listener).not.toHaveBeenCalled();
  });

  it('signing out drops the token and keeps the notice, if any', () => {
    const store = createAuthStore();
    store.signIn('token-1', user);
    store.signOut();
    expect(store.get()).toEqual({ status: 'signed-out' });
    expect(store.token()).toBeNull();
    store.signOut('Bye');
    expect(store.get()).toEqual({ status: 'signed-out', notice: 'Bye' });
    expect(store.version()).toBe(3);
  });

  it('an unsubscribed listener hears nothing more', () => {
    const store = createAuthStore();
    const listener = vi.fn();
    const unsubscribe = store.subscribe(listener);
    store.signIn('token-1', user);
    unsubscribe();
    store.signOut();
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
