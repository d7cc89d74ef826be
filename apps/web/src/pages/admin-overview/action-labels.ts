// What an audit action reads as after the actor's name in the overview's recent list.

const ACTION_LABELS: Record<string, string> = {
  'auth.register': 'signed up',
  'auth.login': 'signed in',
  'auth.login_failed': 'failed to sign in',
  'auth.logout': 'signed out',
  'auth.password_changed': 'changed their password',
  'auth.password_reset': 'reset their password',
  'auth.email_changed': 'changed their email address',
  'auth.email_verified': 'confirmed their email address',
  'auth.invitation_accepted': 'accepted an invitation',
  'auth.refresh_reuse_detected': 'had a stolen session token refused',
  'admin.role_changed': 'changed a user’s role',
  'admin.user_activated': 'activated a user',
  'admin.user_deactivated': 'deactivated a user',
  'admin.sessions_revoked': 'signed a user out everywhere',
  'admin.audit_exported': 'exported the audit log',
  'admin.invitation_created': 'invited someone',
  'admin.invitation_resent': 'resent an invitation',
  'admin.invitation_revoked': 'revoked an invitation',
  'apikey.created': 'created an API key',
  'apikey.revoked': 'revoked an API key',
  'credits.grant': 'granted credits',
  'credits.transfer': 'sent credits',
  'project.deleted': 'deleted a project',
  'project.moved': 'moved a project',
  'team.admin_read': 'looked into a team as admin',
  'team.created': 'created a team',
  'team.deleted': 'deleted a team',
  'team.invitation_created': 'invited someone to a team',
  'team.invitation_revoked': 'revoked a team invitation',
  'team.member_added': 'joined a team',
  'team.member_removed': 'removed a team member',
  'team.member_role_changed': 'changed a team member’s role',
};

/** "failed to sign in" for `auth.login_failed`; an action without a label reads as itself. */
export function describeAction(action: string): string {
  return ACTION_LABELS[action] ?? action;
}
