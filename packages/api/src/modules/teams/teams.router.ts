// teams.* procedures: wiring only; the rules live in teams.service.ts.
import { authedProcedure, optionalUser, publicProcedure, router, teamProcedure, writerProcedure } from '../../trpc.js';
import { Success } from '../common.schema.js';
import {
  AcceptTeamInvitationInput,
  AcceptTeamInvitationResult,
  CreateTeamInvitationInput,
  ListTeamInvitationsInput,
  RevokeTeamInvitationInput,
  TeamInvitation,
  TeamInvitationPage,
  TeamInvitationPreview,
  TeamInvitationTokenInput,
} from './teams.invitations.schema.js';
import * as invitations from './teams.invitations.service.js';
import {
  CreateTeamInput,
  ListMembersInput,
  Member,
  MemberPage,
  RemoveMemberInput,
  SetMemberRoleInput,
  Team,
  TeamList,
  UpdateTeamInput,
} from './teams.schema.js';
import * as teams from './teams.service.js';

const membersRouter = router({
  list: teamProcedure('VIEWER')
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams/{teamId}/members',
        tags: ['teams'],
        protect: true,
        summary: 'List the members of a team, in the order they joined',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(ListMembersInput)
    .output(MemberPage)
    .query(({ ctx, input }) => teams.listMembers(ctx, input)),
  setRole: teamProcedure('ADMIN')
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/teams/{teamId}/members/{userId}',
        tags: ['teams'],
        protect: true,
        summary: "Change a member's team role",
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(SetMemberRoleInput)
    .output(Member)
    .mutation(({ ctx, input }) => teams.setMemberRole(ctx, input)),
  // VIEWER: any member may remove themself (leave); removing someone else needs ADMIN+ (the service).
  remove: teamProcedure('VIEWER')
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/teams/{teamId}/members/{userId}',
        tags: ['teams'],
        protect: true,
        summary: 'Remove a member from a team, or leave it (your own userId)',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(RemoveMemberInput)
    .output(Success)
    .mutation(({ ctx, input }) => teams.removeMember(ctx, input)),
});

const invitationsRouter = router({
  create: teamProcedure('ADMIN')
    .meta({
      rateLimit: ['mail_ip', 'mail'],
      openapi: {
        method: 'POST',
        path: '/teams/{teamId}/invitations',
        tags: ['teams'],
        protect: true,
        summary: 'Invite an address to the team at a role (mailed a link that works for 7 days)',
        errorResponses: [400, 401, 403, 404, 409, 429],
      },
    })
    .input(CreateTeamInvitationInput)
    .output(TeamInvitation)
    .mutation(({ ctx, input }) => invitations.createInvitation(ctx, input)),
  list: teamProcedure('ADMIN')
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams/{teamId}/invitations',
        tags: ['teams'],
        protect: true,
        summary: "The team's invitations, newest first",
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(ListTeamInvitationsInput)
    .output(TeamInvitationPage)
    .query(({ ctx, input }) => invitations.listInvitations(ctx, input)),
  revoke: teamProcedure('ADMIN')
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/teams/{teamId}/invitations/{id}',
        tags: ['teams'],
        protect: true,
        summary: 'Revoke an open invitation: its link stops working',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(RevokeTeamInvitationInput)
    .output(Success)
    .mutation(({ ctx, input }) => invitations.revokeInvitation(ctx, input)),
  // Public: a signed-in caller joins as themself; without a token, name + password create the account.
  accept: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/teams/invitations/accept',
        tags: ['teams'],
        protect: false,
        summary: 'Join a team with an invitation link: signed in as the invited address, or creating that account',
        errorResponses: [400, 401, 403, 404, 409, 503],
      },
    })
    .input(AcceptTeamInvitationInput)
    .output(AcceptTeamInvitationResult)
    .mutation(async ({ ctx, input, path }) =>
      invitations.acceptInvitation(ctx, input, await optionalUser(ctx, path, 'mutation')),
    ),
});

export const teamsRouter = router({
  invitation: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams/invitations/preview',
        tags: ['teams'],
        protect: false,
        summary: "What a team invitation link's token invites to (team, email, role, inviter, expiry)",
        errorResponses: [400, 404],
      },
    })
    .input(TeamInvitationTokenInput)
    .output(TeamInvitationPreview)
    .query(({ ctx, input }) => invitations.previewInvitation(ctx, input)),
  create: writerProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/teams',
        tags: ['teams'],
        protect: true,
        summary: 'Create a team; the caller is its owner',
        errorResponses: [400, 401, 403],
      },
    })
    .input(CreateTeamInput)
    .output(Team)
    .mutation(({ ctx, input }) => teams.createTeam(ctx, input)),
  list: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams',
        tags: ['teams'],
        protect: true,
        summary: "The caller's teams, with the caller's role in each",
        errorResponses: [401, 403],
      },
    })
    .output(TeamList)
    .query(({ ctx }) => teams.listTeams(ctx)),
  get: teamProcedure('VIEWER')
    .meta({
      openapi: {
        method: 'GET',
        path: '/teams/{teamId}',
        tags: ['teams'],
        protect: true,
        summary: 'Get one team',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .output(Team)
    .query(({ ctx }) => teams.getTeam(ctx)),
  update: teamProcedure('ADMIN', { globalAdmin: false })
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/teams/{teamId}',
        tags: ['teams'],
        protect: true,
        summary: 'Rename a team',
        errorResponses: [400, 401, 403, 404],
      },
    })
    .input(UpdateTeamInput)
    .output(Team)
    .mutation(({ ctx, input }) => teams.updateTeam(ctx, input)),
  delete: teamProcedure('OWNER', { globalAdmin: false })
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/teams/{teamId}',
        tags: ['teams'],
        protect: true,
        summary: 'Delete a team that has no projects',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .output(Success)
    .mutation(({ ctx }) => teams.deleteTeam(ctx)),
  members: membersRouter,
  invitations: invitationsRouter,
});
