// The team role rules the team page draws its actions from: who may grant what, and manage whom.
import { describe, expect, it } from 'vitest';
import {
  canManage,
  deletesProject,
  editsProjects,
  grantableRoles,
  managesMembers,
  TEAM_ROLES,
  type TeamRole,
} from './team-roles.js';

describe('team roles', () => {
  it('lists the roles highest first', () => {
    expect(TEAM_ROLES).toEqual(['OWNER', 'ADMIN', 'MEMBER', 'VIEWER']);
  });

  it.each<[TeamRole, TeamRole[]]>([
    ['OWNER', ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER']],
    ['ADMIN', ['MEMBER', 'VIEWER']],
    ['MEMBER', []],
    ['VIEWER', []],
  ])('a %s may grant %j', (caller, roles) => {
    expect(grantableRoles(caller)).toEqual(roles);
  });

  it.each<[TeamRole, boolean]>([
    ['OWNER', true],
    ['ADMIN', true],
    ['MEMBER', false],
    ['VIEWER', false],
  ])('a %s manages members: %s', (caller, manages) => {
    expect(managesMembers(caller)).toBe(manages);
  });

  it.each<[TeamRole, TeamRole, boolean]>([
    ['OWNER', 'OWNER', true],
    ['OWNER', 'VIEWER', true],
    ['ADMIN', 'OWNER', false],
    ['ADMIN', 'ADMIN', false],
    ['ADMIN', 'MEMBER', true],
    ['ADMIN', 'VIEWER', true],
    ['MEMBER', 'VIEWER', false],
    ['VIEWER', 'VIEWER', false],
  ])('a %s may manage a %s: %s', (caller, target, allowed) => {
    expect(canManage(caller, target)).toBe(allowed);
  });
});

describe("a team's projects", () => {
  it.each<[TeamRole, boolean, boolean, boolean]>([
    // role, edits, deletes another's project, deletes their own
    ['OWNER', true, true, true],
    ['ADMIN', true, true, true],
    ['MEMBER', true, false, true],
    ['VIEWER', false, false, false],
  ])('a %s edits: %s, deletes a project of someone else: %s, deletes their own: %s', (caller, edits, others, own) => {
    expect(editsProjects(caller)).toBe(edits);
    expect(deletesProject(caller, false)).toBe(others);
    expect(deletesProject(caller, true)).toBe(own);
  });
});
