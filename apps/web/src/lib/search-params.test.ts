// The list pages' search parameters: typed from the API's input schemas, a malformed value falls back.
import { describe, expect, it } from 'vitest';
import {
  AdminInvitationsSearch,
  AdminUsersSearch,
  AuditSearch,
  LinkSearch,
  listInputOf,
  ProjectsSearch,
  SignInSearch,
  teamOf,
  withoutEmpty,
} from './search-params.js';

describe('ProjectsSearch', () => {
  it('fills the defaults of an empty query string', () => {
    expect(ProjectsSearch.parse({})).toEqual({ sort: '-createdAt', page: 1, scope: 'mine' });
  });

  it('keeps valid values, trimming the search', () => {
    expect(ProjectsSearch.parse({ q: ' apollo ', sort: 'name', page: 3, scope: 'all' })).toEqual({
      q: 'apollo',
      sort: 'name',
      page: 3,
      scope: 'all',
    });
  });

  it('falls back value by value when a URL is typed wrong', () => {
    expect(ProjectsSearch.parse({ q: 42, sort: 'owner', page: -2, scope: 'everyone' })).toEqual({
      q: undefined,
      sort: '-createdAt',
      page: 1,
      scope: 'mine',
    });
    expect(ProjectsSearch.parse({ page: 1.5 }).page).toBe(1);
  });

  it('keeps a team id as typed, for the page to tell a mistyped one from the personal projects', () => {
    const teamId = '0b8f5a6e-2c1d-4f3a-9e7b-5d4c3b2a1f00';
    expect(ProjectsSearch.parse({ team: teamId }).team).toBe(teamId);
    expect(ProjectsSearch.parse({ team: 'nope' }).team).toBe('nope');
    expect(ProjectsSearch.parse({ team: 7 }).team).toBeUndefined();
  });
});

describe('teamOf', () => {
  it('reads no team as the personal projects, a well-formed id as that team, and anything else as no team', () => {
    const teamId = '0b8f5a6e-2c1d-4f3a-9e7b-5d4c3b2a1f00';
    expect(teamOf({})).toEqual({ kind: 'personal' });
    expect(teamOf({ team: teamId })).toEqual({ kind: 'team', teamId });
    expect(teamOf({ team: 'not-a-team' })).toEqual({ kind: 'malformed' });
    expect(teamOf({ team: '' })).toEqual({ kind: 'malformed' });
  });
});

describe('AdminUsersSearch', () => {
  it('reads role, status, sort and page, and drops what it does not know', () => {
    expect(AdminUsersSearch.parse({ role: 'GUEST', active: false, sort: '-email', page: 2, other: 'x' })).toEqual({
      sort: '-email',
      role: 'GUEST',
      active: false,
      page: 2,
    });
  });

  it('treats an unknown role or status as no filter', () => {
    expect(AdminUsersSearch.parse({ role: 'ROOT', active: 'yes' })).toEqual({ sort: '-createdAt', page: 1 });
    // The role select's "Any role" is the empty value.
    expect(AdminUsersSearch.shape.role.parse('')).toBeUndefined();
  });
});

describe('AuditSearch', () => {
  it('keeps the filters as typed, bad ones included, for the page to show their errors', () => {
    expect(AuditSearch.parse({ userId: 'not-a-uuid', from: '2030-01-01T00:00:00.000Z' })).toEqual({
      userId: 'not-a-uuid',
      from: '2030-01-01T00:00:00.000Z',
    });
  });

  it('ignores a value that is not text', () => {
    expect(AuditSearch.parse({ action: { nested: true } })).toEqual({});
  });
});

describe('listInputOf', () => {
  it('renames q to the procedure input search', () => {
    expect(listInputOf({ q: 'apollo', page: 2 })).toEqual({ search: 'apollo', page: 2 });
  });

  it('sends no search for an empty one', () => {
    expect(listInputOf({ q: '', page: 1 })).toEqual({ page: 1 });
  });
});

describe('withoutEmpty', () => {
  it('keeps only the filters that are set', () => {
    expect(withoutEmpty({ userId: 'u1', action: '', from: undefined })).toEqual({ userId: 'u1' });
  });
});

describe('AdminInvitationsSearch', () => {
  it('keeps a known status and reads a missing or unknown one as every invitation', () => {
    expect(AdminInvitationsSearch.parse({ status: 'revoked' })).toEqual({ status: 'revoked' });
    expect(AdminInvitationsSearch.parse({})).toEqual({ status: undefined });
    expect(AdminInvitationsSearch.parse({ status: 'lost' })).toEqual({ status: undefined });
  });
});

describe('LinkSearch', () => {
  it("keeps a mailed link's token as typed, for the page to check", () => {
    expect(LinkSearch.parse({ token: ' abc ' })).toEqual({ token: ' abc ' });
  });

  it('reads a missing or malformed token as none', () => {
    expect(LinkSearch.parse({})).toEqual({ token: undefined });
    expect(LinkSearch.parse({ token: 42 })).toEqual({ token: undefined });
  });
});

describe('SignInSearch', () => {
  it('keeps the code step after a single sign-on and the same-origin path it lands on', () => {
    expect(SignInSearch.parse({ sso_step: 'code', returnTo: '/projects?x=1' })).toEqual({
      sso_error: undefined,
      sso_step: 'code',
      returnTo: '/projects?x=1',
    });
  });

  it.each(['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'projects', '/a\u0000b'])(
    'drops returnTo %j, which could leave the dashboard',
    (returnTo) => {
      expect(SignInSearch.parse({ sso_step: 'code', returnTo }).returnTo).toBeUndefined();
    },
  );

  it('reads an unknown step as none', () => {
    expect(SignInSearch.parse({ sso_step: 'password' }).sso_step).toBeUndefined();
  });
});
